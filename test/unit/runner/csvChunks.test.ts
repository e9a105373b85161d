import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { readRecords } from "../../../server/src/sources/formats";
import type { DataRecord } from "../../../server/src/sources/types";

/** Text cut into pieces of the given sizes, as bytes, so cuts fall inside quotes, CRLFs and multi-byte characters. */
async function* pieces(text: string, sizes: number[]): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length] as number;
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function collect(records: AsyncIterable<DataRecord>): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

function tricky(lineEnd: string): string {
  const rows = ["id,name,note"];
  for (let i = 0; i < 300; i++) {
    const note = i % 5 === 0 ? `"multi${lineEnd}line ""quoted"", with comma"` : i % 7 === 0 ? `"Grüße ✓"` : i % 3 === 0 ? "" : `plain ${i}`;
    rows.push(`${i},name ${i},${note}`);
  }
  return `\uFEFF${rows.join(lineEnd)}${lineEnd}`;
}

describe("CSV reading across chunk boundaries", () => {
  for (const lineEnd of ["\n", "\r\n"]) {
    it(`gives what csv-parse gives for any cut (${JSON.stringify(lineEnd)})`, async () => {
      const text = tricky(lineEnd);
      const expected = parse(text, { bom: true, columns: true }) as DataRecord[];
      for (const sizes of [[1], [2, 3], [7], [64, 5], [1000], [text.length * 2]]) {
        assert.deepEqual(await collect(readRecords(pieces(text, sizes), "csv")), expected, `cut into ${sizes.join("/")}`);
      }
    });
  }

  it("a record with too many or too few fields, or a stray quote, is an error naming the input", async () => {
    await assert.rejects(collect(readRecords(pieces("a,b\n1,2\n3\n", [4]), "csv", {}, "x.csv")), /x\.csv: not valid CSV: record 2 .* has 1 fields, the header has 2/);
    await assert.rejects(collect(readRecords(pieces('a,b\n1,"2"x\n', [3]), "csv", {}, "y.csv")), /y\.csv: not valid CSV/);
  });

  it("a file without a final line break still gives its last record", async () => {
    assert.deepEqual(await collect(readRecords(pieces("a,b\r\n1,2\r\n3,4", [5]), "csv")), [{ a: "1", b: "2" }, { a: "3", b: "4" }]);
  });
});
