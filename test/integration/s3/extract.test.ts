/**
 * The s3 connector's extract against a real S3-compatible server (MinIO, test/support/s3.ts):
 * pagination past 1,000 keys, globs, CSV quoting, JSONL, JSON arrays, gzip, prefixes, templates.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { createS3Target } from "../../../server/src/sources/s3/client";
import { s3Connector } from "../../../server/src/sources/s3/connector";
import { listObjects, matchObjects } from "../../../server/src/sources/s3/list";
import type { Extract } from "../../../server/src/pipeline/model";
import { startS3, type TestS3 } from "../../support/s3";
import { collect, context, putObjects } from "./helpers";

let s3: TestS3;
let bucket: string;

async function extract(key: string, more: Partial<Extract> = {}, connection: Record<string, unknown> = {}) {
  const result = await s3Connector.extract({ ...context({ ...s3.connection(bucket), ...connection }), extract: { connection: "lake", key, ...more } as Extract });
  return collect(result.records);
}

before(async () => {
  s3 = await startS3();
  bucket = await s3.createBucket("extract");
  const many: Array<[string, string]> = [];
  for (let i = 0; i < 1050; i++) many.push([`many/part-${String(i).padStart(5, "0")}.jsonl`, `{"i":${i}}\n`]);
  many.push(["many/README.txt", "not data"]);
  await putObjects(s3, bucket, [
    ...many,
    ["raw/2024-01-02/a.csv", "id,name\n1,alpha\n2,beta\n"],
    ["raw/2024-01-02/b.csv", "id,name\n3,gamma\n"],
    ["raw/2024-01-02/notes.txt", "skip me"],
    ["raw/2024-01-02/deep/c.csv", "id,name\n4,delta\n"],
    ["raw/2024-01-03/a.csv", "id,name\n5,epsilon\n"],
    ["quoted.csv", '\uFEFF"order id","full, name","note"\r\n1,"Smith, Jo","line one\nline two"\r\n2,"O""Brien","said ""hi"""\r\n'],
    ["semi.csv", "a;b\n1;2\n"],
    ["events.jsonl", '{"id":1,"tags":["x"],"nested":{"k":true}}\n{"id":2,"tags":[],"nested":null}\n'],
    ["items.json", JSON.stringify([{ sku: "A-1", price: 9.5 }, { sku: "B-2", price: null }])],
    ["zipped.csv.gz", gzipSync("id,v\n1,x\n2,y\n3,z\n")],
    ["mystery.bin", "id\n1\n"],
  ]);
});

after(async () => {
  await s3Connector.close?.();
  await s3?.stop();
});

describe("s3 listing", () => {
  it("pages through more than 1,000 keys with ListObjectsV2 continuation, in key order", async () => {
    const target = createS3Target(s3.connection(bucket), "lake");
    const keys = (await collect(listObjects(target, "many/"))).map((o) => o.key);
    assert.equal(keys.length, 1051);
    assert.deepEqual(keys, [...keys].sort());
    const small = await collect(listObjects(target, "many/", { pageSize: 100 }));
    assert.equal(small.length, 1051);
    target.client.destroy();
  });

  it("matches a glob across pages and extracts every matching object in key order", async () => {
    const rows = await extract("many/**/part-*9.jsonl");
    const expected = Array.from({ length: 1050 }, (_, i) => i).filter((i) => i % 10 === 9);
    assert.ok(expected.at(-1)! > 1000, "matches on both pages of the listing");
    assert.deepEqual(rows.map((r) => r.i), expected);
  });
});

describe("s3 globs", () => {
  it("`*` stays in one folder, `**` crosses folders", async () => {
    const target = createS3Target(s3.connection(bucket), "lake");
    const keys = async (p: string) => (await collect(matchObjects(target, p))).map((o) => o.key);
    assert.deepEqual(await keys("raw/2024-01-02/*.csv"), ["raw/2024-01-02/a.csv", "raw/2024-01-02/b.csv"]);
    assert.deepEqual(await keys("raw/**/*.csv"), ["raw/2024-01-02/a.csv", "raw/2024-01-02/b.csv", "raw/2024-01-02/deep/c.csv", "raw/2024-01-03/a.csv"]);
    assert.deepEqual(await keys("raw/*/a.csv"), ["raw/2024-01-02/a.csv", "raw/2024-01-03/a.csv"]);
    target.client.destroy();
  });

  it("renders templates in keys and applies the connection's prefix", async () => {
    const rows = await extract("{{ ds }}/*.csv", {}, { prefix: "raw" });
    assert.deepEqual(rows, [
      { id: "1", name: "alpha" },
      { id: "2", name: "beta" },
      { id: "3", name: "gamma" },
    ]);
  });

  it("fails with not-found when nothing matches, naming the pattern", async () => {
    await assert.rejects(extract("raw/1999-*/*.csv"), (err: Error & { code?: string; transient?: boolean }) => {
      assert.equal(err.code, "not-found");
      assert.equal(err.transient, false);
      assert.match(err.message, /raw\/1999-\*\/\*\.csv/);
      return true;
    });
  });

  it("a missing plain key is a permanent not-found error", async () => {
    await assert.rejects(extract("nope.csv"), { code: "not-found", transient: false });
  });
});

describe("s3 formats", () => {
  it("reads CSV with a BOM, quoted headers, embedded commas, quotes and newlines", async () => {
    assert.deepEqual(await extract("quoted.csv"), [
      { "order id": "1", "full, name": "Smith, Jo", note: "line one\nline two" },
      { "order id": "2", "full, name": 'O"Brien', note: 'said "hi"' },
    ]);
  });

  it("honours csv options", async () => {
    assert.deepEqual(await extract("semi.csv", { csv: { delimiter: ";" } }), [{ a: "1", b: "2" }]);
    assert.deepEqual(await extract("semi.csv", { csv: { delimiter: ";", header: false } }), [
      { column_1: "a", column_2: "b" },
      { column_1: "1", column_2: "2" },
    ]);
  });

  it("reads JSONL and JSON arrays with their JSON types", async () => {
    assert.deepEqual(await extract("events.jsonl"), [
      { id: 1, tags: ["x"], nested: { k: true } },
      { id: 2, tags: [], nested: null },
    ]);
    assert.deepEqual(await extract("items.json"), [
      { sku: "A-1", price: 9.5 },
      { sku: "B-2", price: null },
    ]);
  });

  it("gunzips .gz objects, inferring the format from the extension before .gz", async () => {
    assert.deepEqual(await extract("zipped.csv.gz"), [
      { id: "1", v: "x" },
      { id: "2", v: "y" },
      { id: "3", v: "z" },
    ]);
  });

  it("uses an explicit format, and says how to fix an unknown extension", async () => {
    assert.deepEqual(await extract("mystery.bin", { format: "csv" }), [{ id: "1" }]);
    await assert.rejects(extract("mystery.bin"), (err: Error & { code?: string }) => {
      assert.equal(err.code, "unknown-format");
      assert.match(err.message, /format: csv/);
      return true;
    });
  });
});
