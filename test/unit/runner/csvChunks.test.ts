import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { readRecordBatches, readRecords } from "../../../server/src/sources/formats";
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
    const note = i % 5 === 0 ? `"multi${lineEnd}line ""quoted"", with comma"` : i % 7 === 0 ? `"Grüße ✓"` : i % 3 === 0 ? "" : i % 11 === 0 ? '""' : `plain ${i}`;
    // Some names empty, quoted or not, beside a note that is either.
    const name = i % 13 === 0 ? "" : i % 17 === 0 ? '""' : `name ${i}`;
    rows.push(`${i},${name},${note}`);
  }
  return `\uFEFF${rows.join(lineEnd)}${lineEnd}`;
}

describe("CSV reading across chunk boundaries", () => {
  for (const lineEnd of ["\n", "\r\n"]) {
    it(`gives what csv-parse gives for any cut (${JSON.stringify(lineEnd)})`, async () => {
      const text = tricky(lineEnd);
      // An unquoted empty field is NULL, a quoted one the empty string (csv-parse's `quoting` tells them apart).
      const expected = parse(text, { bom: true, columns: true, cast: (value, ctx) => (value === "" && !ctx.quoting && !ctx.header ? null : value) }) as DataRecord[];
      const empties = parse(text, { bom: true, columns: true }) as DataRecord[];
      assert.ok(expected.some((r) => r.note === null) && expected.some((r) => r.note === "") && expected.some((r) => r.name === null) && expected.some((r) => r.name === ""), "both kinds of empty field are in the text");
      for (const sizes of [[1], [2, 3], [7], [64, 5], [1000], [text.length * 2]]) {
        assert.deepEqual(await collect(readRecords(pieces(text, sizes), "csv")), expected, `cut into ${sizes.join("/")}`);
        assert.deepEqual(await collect(readRecords(pieces(text, sizes), "csv", { empty_as: "empty" })), empties, `empty_as: empty, cut into ${sizes.join("/")}`);
      }
    });
  }

  it("a record with too many or too few fields, or a stray quote, is an error naming the input", async () => {
    await assert.rejects(collect(readRecords(pieces("a,b\n1,2\n3\n", [4]), "csv", {}, "x.csv")), /x\.csv: not valid CSV: record 2 .* has 1 fields, the header has 2/);
    await assert.rejects(collect(readRecords(pieces('a,b\n1,"2"x\n', [3]), "csv", {}, "y.csv")), /y\.csv: not valid CSV/);
  });

  it("empty fields: unquoted is null, quoted is the empty string, at a line's start and end, without quotes elsewhere in the text too", async () => {
    assert.deepEqual(await collect(readRecords(pieces("a,b,c\n,x,\n1,,3\n", [1000]), "csv")), [{ a: null, b: "x", c: null }, { a: "1", b: null, c: "3" }]);
    assert.deepEqual(await collect(readRecords(pieces('a,b,c\n"",x,""\n1,"",""""\n', [1000]), "csv")), [{ a: "", b: "x", c: "" }, { a: "1", b: "", c: '"' }]);
    assert.deepEqual(await collect(readRecords(pieces("a;b\n;\n", [1000]), "csv", { delimiter: ";", empty_as: null })), [{ a: null, b: null }]);
    assert.deepEqual(await collect(readRecords(pieces('a,b\n,""\n', [1000]), "csv", { empty_as: "empty" })), [{ a: "", b: "" }]);
  });

  it("empty fields read the same when bad lines are quarantined (row by row)", async () => {
    const bad: number[] = [];
    const records: DataRecord[] = [];
    for await (const batch of readRecordBatches(pieces('a,b,c\n"",,x\n1,2\n,"",""""\n', [1000]), "csv", {}, "q.csv", (line) => bad.push(line.line))) records.push(...batch);
    assert.deepEqual(records, [{ a: "", b: null, c: "x" }, { a: null, b: "", c: '"' }]);
    assert.deepEqual(bad, [3]);
  });

  it("a file without a final line break still gives its last record", async () => {
    assert.deepEqual(await collect(readRecords(pieces("a,b\r\n1,2\r\n3,4", [5]), "csv")), [{ a: "1", b: "2" }, { a: "3", b: "4" }]);
  });
});
