import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatFor, readRecords, writeRecords, type TextFormat } from "../../../server/src/sources/formats";
import type { DataRecord } from "../../../server/src/sources/types";
import { ConnectorError } from "../../../server/src/errors";
import { decodeText } from "../../../server/src/sources/formats/text";

/** Feeds text in chunks of `size` bytes, so parsers meet every boundary. */
async function* chunks(text: string | Uint8Array, size = 3): AsyncGenerator<Uint8Array> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* from(records: DataRecord[]): AsyncGenerator<DataRecord> {
  yield* records;
}

async function text(it: AsyncIterable<string | Uint8Array>): Promise<string> {
  let s = "";
  for await (const c of it) s += typeof c === "string" ? c : new TextDecoder().decode(c);
  return s;
}

describe("UTF-8 decoding", () => {
  it("drops a BOM cut over chunks, joins characters cut over chunks, and turns bad bytes into U+FFFD", async () => {
    const good = "\uFEFFnaïve café — 東京 🚀\n";
    for (const size of [1, 2, 5]) assert.equal((await collect(decodeText(chunks(good, size)))).join(""), good.slice(1));
    const bad = new Uint8Array([0x61, 0xff, 0x62, 0xe6, 0x9d, 0x63]); // a, a byte that is never UTF-8, b, a cut 3-byte sequence, c
    assert.equal((await collect(decodeText(chunks(bad, 1)))).join(""), new TextDecoder().decode(bad));
    assert.equal((await collect(decodeText(chunks(new Uint8Array([0x61, 0xe6]), 1)))).join(""), "a\uFFFD", "a sequence cut by the end of the input");
  });

  it("keeps a BOM that is not at the start", async () => {
    assert.equal((await collect(decodeText(chunks("a\uFEFFb", 2)))).join(""), "a\uFEFFb");
  });
});

describe("CSV", () => {
  it("reads quoted fields, embedded newlines and doubled quotes, and drops a BOM", async () => {
    const csv = '\uFEFFid,name,note\r\n1,"Hopper, Grace","said ""hi""\nthen left"\r\n2,Ada,\r\n';
    const rows = await collect(readRecords(chunks(csv), "csv"));
    assert.deepEqual(rows, [
      { id: "1", name: "Hopper, Grace", note: 'said "hi"\nthen left' },
      { id: "2", name: "Ada", note: null },
    ]);
  });

  it("makes records whose keys follow the header, whatever its names", async () => {
    const csv = "b,a,1,__proto__,constructor,x y\u2028\"\"\\\n2,3,4,5,6,7\n";
    const [record] = await collect(readRecords(chunks(csv), "csv"));
    assert.ok(record);
    // An index-like name comes first, as in any object.
    assert.deepEqual(Object.keys(record), ["1", "b", "a", "__proto__", "constructor", 'x y\u2028""\\']);
    assert.deepEqual(Object.values(record), ["4", "2", "3", "5", "6", "7"]);
    assert.equal(Object.getPrototypeOf(record), Object.prototype, "a column named __proto__ is a column, not the prototype");
    assert.equal(Object.getOwnPropertyDescriptor(record, "__proto__")?.value, "5");
    const [noHeader] = await collect(readRecords(chunks("x,y\n"), "csv", { header: false }));
    assert.deepEqual(noHeader, { column_1: "x", column_2: "y" });
  });

  it("honours another delimiter and header: false", async () => {
    const rows = await collect(readRecords(chunks("a;b\n1;2\n"), "csv", { delimiter: ";", header: false }));
    assert.deepEqual(rows, [{ column_1: "a", column_2: "b" }, { column_1: "1", column_2: "2" }]);
  });

  it("names the line of a broken row", async () => {
    await assert.rejects(collect(readRecords(chunks('a,b\n1,"unclosed\n'), "csv", {}, "orders.csv")), /orders\.csv: not valid CSV: .*line/i);
  });

  it("round-trips through the writer, quoting what needs it; NULL comes back NULL", async () => {
    const records = [{ id: 1, name: 'x, "y"', note: "two\nlines", none: null }];
    const written = await text(writeRecords(from(records), "csv"));
    const back = await collect(readRecords(chunks(written), "csv"));
    assert.deepEqual(back, [{ id: "1", name: 'x, "y"', note: "two\nlines", none: null }]);
  });

  it("passes an error of the byte source through unchanged (a dropped connection stays retryable)", async () => {
    const dropped = new ConnectorError("s3-network", "connection reset while reading", true);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("id,name\n1,a\n");
      throw dropped;
    }
    await assert.rejects(collect(readRecords(failing(), "csv")), (err: unknown) => err === dropped);
  });

  it("refuses a record with a column the header lacks", async () => {
    await assert.rejects(text(writeRecords(from([{ a: 1 }, { a: 2, b: 3 }]), "csv")), /record 2 has column `b`/);
  });
});

describe("JSONL and JSON", () => {
  it("reads JSONL, skipping blank lines and CRLF, and names a bad line", async () => {
    assert.deepEqual(await collect(readRecords(chunks('{"a":1}\r\n\n{"a":"é"}\n'), "jsonl")), [{ a: 1 }, { a: "é" }]);
    await assert.rejects(collect(readRecords(chunks('{"a":1}\n{oops}\n'), "jsonl", undefined, "x.jsonl")), /x\.jsonl: line 2 is not valid JSON/);
    await assert.rejects(collect(readRecords(chunks("[1]\n"), "jsonl")), /line 1 is not a JSON object/);
  });

  it("streams a JSON array whose strings hold brackets, commas and escaped quotes", async () => {
    const records = [{ s: 'a,]}[{"' }, { n: [1, { x: "]" }] }, { e: "\\" }];
    for (const size of [1, 2, 7, 1000]) {
      assert.deepEqual(await collect(readRecords(chunks(JSON.stringify(records), size), "json")), records);
    }
    assert.deepEqual(await collect(readRecords(chunks(" [ ] "), "json")), []);
  });

  it("fails clearly on a truncated array or a non-object element", async () => {
    await assert.rejects(collect(readRecords(chunks('[{"a":1},'), "json")), /not closed/);
    await assert.rejects(collect(readRecords(chunks("[1,2]"), "json")), /element 1 is not an object/);
    await assert.rejects(collect(readRecords(chunks('{"a":1}'), "json")), /does not start with `\[`/);
  });

  for (const format of ["jsonl", "json"] as TextFormat[]) {
    it(`round-trips ${format}`, async () => {
      const records = Array.from({ length: 2500 }, (_, i) => ({ i, s: `r${i}`, o: { deep: [i] } }));
      assert.deepEqual(await collect(readRecords(chunks(await text(writeRecords(from(records), format)), 4096), format)), records);
    });
  }

  it("infers formats from extensions and asks for one otherwise", () => {
    assert.equal(formatFor("a/b.CSV"), "csv");
    assert.equal(formatFor("a.ndjson"), "jsonl");
    assert.equal(formatFor("a.txt", "json"), "json");
    assert.throws(() => formatFor("a.txt"), /add `format: csv`/);
  });
});
