import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readRecordBatches, type BadLine, type TextFormat } from "../../../server/src/sources/formats";
import { MAX_BAD_LINE_TEXT } from "../../../server/src/sources/formats/badLines";
import type { DataRecord } from "../../../server/src/sources/types";

/** Feeds text in chunks of `size` bytes, so the readers meet every boundary. */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string, format: TextFormat, size: number): Promise<{ records: DataRecord[]; bad: BadLine[] }> {
  const bad: BadLine[] = [];
  const records: DataRecord[] = [];
  for await (const batch of readRecordBatches(chunks(text, size), format, undefined, "in.data", (b) => bad.push(b))) records.push(...batch);
  return { records, bad };
}

/** Every chunk size from 1 byte to the whole text gives the same records and bad lines. */
async function readAllWays(text: string, format: TextFormat): Promise<{ records: DataRecord[]; bad: BadLine[] }> {
  const whole = await read(text, format, text.length + 1);
  for (const size of [1, 2, 3, 5, 7, 16, 64]) assert.deepEqual(await read(text, format, size), whole, `chunks of ${size} bytes`);
  return whole;
}

describe("CSV under on_error: quarantine", () => {
  it("rejects a row with the wrong number of fields, with its line, text and reason, and reads on", async () => {
    const { records, bad } = await readAllWays("id,name\n1,a\n2,b,extra\n\n3,c\n4\n", "csv");
    assert.deepEqual(records, [{ id: "1", name: "a" }, { id: "3", name: "c" }]);
    assert.deepEqual(bad, [
      { source: "in.data", line: 3, text: "2,b,extra", reason: "the record has 3 fields, the header has 2" },
      { source: "in.data", line: 6, text: "4", reason: "the record has 1 fields, the header has 2" },
    ]);
  });

  it("rejects only the first line of a row with a stray quote, so the lines after it still load", async () => {
    const text = 'id,name\n1,"a"\n2,"b"x,y\n3,c\n4,"d\ne"\n5,"f""g"\n';
    const { records, bad } = await readAllWays(text, "csv");
    assert.deepEqual(records, [{ id: "1", name: "a" }, { id: "3", name: "c" }, { id: "4", name: "d\ne" }, { id: "5", name: 'f"g' }]);
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.line, 3);
    assert.equal(bad[0]?.text, '2,"b"x,y');
    assert.match(bad[0]?.reason ?? "", /quote/i);
  });

  it("rejects the first line of a quote that never closes, and numbers lines after a multi-line record", async () => {
    const { records, bad } = await readAllWays('id,name\r\n1,"multi\r\nline"\r\n2,"open\r\n3,z\r\n', "csv");
    assert.deepEqual(records, [{ id: "1", name: "multi\r\nline" }, { id: "3", name: "z" }]);
    assert.deepEqual(bad.map((b) => [b.line, b.text]), [[4, '2,"open']]);
  });

  it("cuts a long rejected line's text", async () => {
    const long = "x".repeat(MAX_BAD_LINE_TEXT * 3);
    const { bad } = await read(`a,b\n${long}\n1,2\n`, "csv", 4096);
    assert.equal(bad[0]?.text, `${"x".repeat(MAX_BAD_LINE_TEXT)}…`);
  });

  it("still fails on a broken header", async () => {
    await assert.rejects(read('a,"b\n1,2\n', "csv", 100), /not valid CSV/);
  });
});

describe("JSON Lines under on_error: quarantine", () => {
  it("rejects lines that are not a JSON object, with their numbers, and keeps the rest", async () => {
    const { records, bad } = await readAllWays('{"a":1}\n{oops}\n\n[1]\n{"a":2}\n', "jsonl");
    assert.deepEqual(records, [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(bad.map((b) => [b.line, b.text]), [[2, "{oops}"], [4, "[1]"]]);
    assert.match(bad[0]?.reason ?? "", /^not valid JSON/);
    assert.equal(bad[1]?.reason, "not a JSON object");
  });
});
