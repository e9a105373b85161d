/**
 * The S3 staging store and the S3 analysis helpers against a real S3-compatible server.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { inferS3Columns, listS3Folder } from "../../../server/src/sources/s3/analyze";
import type { S3Connection } from "../../../server/src/sources/s3/client";
import { S3StagingStore } from "../../../server/src/sources/s3/staging";
import { startS3, type TestS3 } from "../../support/s3";
import { bytesOf, putObjects } from "./helpers";

let s3: TestS3;
let bucket: string;

before(async () => {
  s3 = await startS3();
  bucket = await s3.createBucket("staging");
});

after(async () => {
  await s3?.stop();
});

async function* chunks(parts: string[]): AsyncGenerator<string> {
  yield* parts;
}

describe("S3StagingStore", () => {
  it("writes, lists, reads and removes step outputs under connection prefix + staging prefix", async () => {
    const store = new S3StagingStore(s3.connection(bucket, { prefix: "team" }) as S3Connection, { prefix: "etl/runs" });
    assert.equal(store.describe(), `s3://${bucket}/team/etl/runs/`);
    await store.write("run-1/extract.jsonl", chunks(['{"a":1}\n', '{"a":2}\n']));
    await store.write("run-1/load.jsonl", chunks([]));
    await store.write("run-2/extract.jsonl", chunks(['{"a":3}\n']));
    assert.deepEqual(await store.list("run-1/"), ["run-1/extract.jsonl", "run-1/load.jsonl"]);
    assert.equal((await bytesOf(await store.read("run-1/extract.jsonl"))).toString(), '{"a":1}\n{"a":2}\n');
    assert.equal((await bytesOf(await store.read("run-1/load.jsonl"))).length, 0);
    // Another worker (a second store on the same bucket) sees the same objects at the same keys.
    const raw = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "team/etl/runs/run-2/extract.jsonl" }));
    assert.equal(await raw.Body!.transformToString(), '{"a":3}\n');
    assert.equal(await store.exists("run-1/extract.jsonl"), true);
    await store.remove("run-1/extract.jsonl");
    assert.equal(await store.exists("run-1/extract.jsonl"), false);
    await assert.rejects(store.read("run-1/extract.jsonl"), { code: "not-found" });
    store.close();
  });

  it("writes a multi-part output completely, or not at all when its source fails", async () => {
    const store = new S3StagingStore(s3.connection(bucket) as S3Connection, { prefix: "stage" });
    const line = `${JSON.stringify({ pad: "p".repeat(1000) })}\n`;
    const big = async function* (failAfter?: number) {
      for (let i = 0; i < 18_000; i++) {
        if (i === failAfter) throw new Error("step crashed");
        yield line;
      }
    };
    await store.write("r/big.jsonl", big());
    assert.equal((await bytesOf(await store.read("r/big.jsonl"))).length, line.length * 18_000);
    await assert.rejects(store.write("r/half.jsonl", big(17_000)), /step crashed/);
    assert.equal(await store.exists("r/half.jsonl"), false);
    store.close();
  });
});

describe("S3StagingStore.update (conditional PUTs)", () => {
  it("N concurrent increments of one key, through separate stores, end at exactly N", async () => {
    const increment = (current: string | undefined) => String(Number(current ?? "0") + 1);
    const stores = Array.from({ length: 8 }, () => new S3StagingStore(s3.connection(bucket) as S3Connection, { prefix: "counters" }));
    const N = 40;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => stores[i % stores.length]!.update("r1/count.txt", increment)));
    assert.equal((await bytesOf(await stores[0]!.read("r1/count.txt"))).toString(), String(N));
    // Every update saw a different value: a PUT over a changed object was refused and redone.
    assert.deepEqual(results.map(Number).sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i + 1));
    for (const store of stores) store.close();
  });
});

describe("S3 analysis", () => {
  before(async () => {
    const objects: Array<[string, string | Uint8Array]> = [];
    for (let i = 0; i < 1100; i++) objects.push([`lake/events/day=0/part-${String(i).padStart(4, "0")}.jsonl`, '{"x":1}\n']);
    for (const day of [1, 2]) for (let i = 0; i < 60; i++) objects.push([`lake/events/day=${day}/part-${String(i).padStart(4, "0")}.jsonl`, '{"x":1}\n']);
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},"name ${i}, jr",${(i * 1.5).toFixed(2)},${i % 2 === 0},2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
    objects.push(["lake/big.csv", `"id","full name","amount","active","day"\n${rows.join("\n")}\n`]);
    objects.push(["lake/big.csv.gz", gzipSync(`"id","full name","amount","active","day"\n${rows.join("\n")}\n`)]);
    objects.push(["lake/a.jsonl", '{"id":1,"at":"2024-01-01T10:00:00Z","tags":["a"]}\n{"id":2.5,"at":"2024-01-02T10:00:00Z","tags":[]}\n']);
    objects.push(["lake/a.json", JSON.stringify([{ sku: "A", n: 1 }, { sku: "B", n: 2, extra: true }])]);
    objects.push(["lake/empty.csv", ""]);
    await putObjects(s3, bucket, objects, 32);
  });

  it("lists folders like a file picker, paginated and bounded", async () => {
    const connection = s3.connection(bucket) as S3Connection;
    const top = await listS3Folder(connection, "lake/");
    assert.deepEqual(top.prefixes, ["lake/events/"]);
    assert.deepEqual(top.objects.map((o) => o.key), ["lake/a.json", "lake/a.jsonl", "lake/big.csv", "lake/big.csv.gz", "lake/empty.csv"]);
    assert.equal(top.truncated, false);
    const days = await listS3Folder(connection, "lake/events/");
    assert.deepEqual(days.prefixes, ["lake/events/day=0/", "lake/events/day=1/", "lake/events/day=2/"]);
    const all = await listS3Folder(connection, "lake/events/day=0/", 5000);
    assert.equal(all.objects.length, 1100, "past the 1,000-key page");
    assert.equal(all.truncated, false);
    const bounded = await listS3Folder(connection, "lake/events/day=1/", 50);
    assert.equal(bounded.objects.length, 50);
    assert.equal(bounded.truncated, true);
    const scoped = await listS3Folder(s3.connection(bucket, { prefix: "lake/events" }) as S3Connection, "");
    assert.deepEqual(scoped.prefixes, ["day=0/", "day=1/", "day=2/"]);
  });

  it("infers CSV columns from the first bytes only (quoted headers, plain and gzipped)", async () => {
    const connection = s3.connection(bucket) as S3Connection;
    const expected = [
      { name: "id", type: "integer" },
      { name: "full name", type: "string" },
      { name: "amount", type: "number" },
      { name: "active", type: "boolean" },
      { name: "day", type: "date" },
    ];
    const csv = await inferS3Columns(connection, "lake/big.csv", { bytes: 4096 });
    assert.deepEqual(csv.columns, expected);
    assert.equal(csv.bytesRead, 4096);
    assert.ok(csv.size! > 100_000 && csv.sampledRecords > 10);
    const gz = await inferS3Columns(connection, "lake/big.csv.gz", { bytes: 2048 });
    assert.deepEqual(gz.columns, expected);
    assert.equal(gz.bytesRead, 2048);
  });

  it("infers JSONL and JSON columns, and copes with an empty object", async () => {
    const connection = s3.connection(bucket) as S3Connection;
    assert.deepEqual((await inferS3Columns(connection, "lake/a.jsonl")).columns, [
      { name: "id", type: "number" },
      { name: "at", type: "timestamp" },
      { name: "tags", type: "json" },
    ]);
    assert.deepEqual((await inferS3Columns(connection, "lake/a.json", { bytes: 40 })).columns, [
      { name: "sku", type: "string" },
      { name: "n", type: "integer" },
    ]);
    assert.deepEqual((await inferS3Columns(connection, "lake/empty.csv")).columns, []);
  });
});
