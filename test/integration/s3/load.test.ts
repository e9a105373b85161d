/**
 * The s3 connector's load and its errors against a real S3-compatible server: multipart upload of
 * a large object with exact bytes and rows, all-or-nothing on failure and on cancel, and errors
 * classified with a fix and without the secret.
 */
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { StepError } from "../../../server/src/errors";
import type { Extract, Load } from "../../../server/src/pipeline/model";
import { writeRecords } from "../../../server/src/sources/formats";
import { PART_SIZE } from "../../../server/src/sources/s3/objects";
import { s3Connector } from "../../../server/src/sources/s3/connector";
import type { DataRecord } from "../../../server/src/sources/types";
import { startS3, type TestS3 } from "../../support/s3";
import { bytesOf, context, fromArray } from "./helpers";

let s3: TestS3;
let bucket: string;

function record(i: number): DataRecord {
  // ~300 bytes a row: several 8 MiB parts from a modest row count.
  return { id: i, name: `customer ${i}, "quoted"`, amount: (i * 37) % 1000, note: i % 7 === 0 ? "multi\nline" : `${i} ${"x".repeat(250)}` };
}

async function* generate(count: number, failAt?: number): AsyncGenerator<DataRecord> {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new StepError("bad-cast", "upstream broke");
    yield record(i);
  }
}

function load(key: string, records: AsyncIterable<DataRecord>, more: Partial<Load> = {}, signal?: AbortSignal) {
  return s3Connector.load({ ...context(s3.connection(bucket), [], signal), load: { connection: "lake", key, mode: "append", create: true, ...more } as Load, records, runId: "run-1", stepId: "out" });
}

async function objectBytes(key: string): Promise<Buffer> {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function head(key: string) {
  return s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((err: { name?: string }) => {
    if (err.name === "NotFound") return undefined;
    throw err;
  });
}

async function pendingUploads(key: string): Promise<number> {
  const out = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  return (out.Uploads ?? []).length;
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

before(async () => {
  s3 = await startS3();
  bucket = await s3.createBucket("load");
});

after(async () => {
  await s3Connector.close?.();
  await s3?.stop();
});

describe("s3 load", () => {
  it("uploads a large CSV in multiple parts with exact bytes and rows", async () => {
    const count = 70_000;
    const expected = await bytesOf(writeRecords(generate(count), "csv"));
    assert.ok(expected.length > 2 * PART_SIZE, `test data must span several parts (${expected.length} bytes)`);
    const result = await load("out/big.csv", generate(count));
    assert.equal(result.rows, count);
    const info = await head("out/big.csv");
    assert.equal(info?.ContentLength, expected.length);
    assert.match(info?.ETag ?? "", /-\d+"?$/, "a multipart object's ETag ends in -<parts>");
    assert.equal(sha(await objectBytes("out/big.csv")), sha(expected));
    const back = await s3Connector.extract({ ...context(s3.connection(bucket)), extract: { connection: "lake", key: "out/big.csv" } as Extract });
    let rows = 0;
    let multiline = 0;
    for await (const r of back.records) {
      assert.equal(r.id, String(rows));
      if (String(r.note).includes("\n")) multiline++;
      rows++;
    }
    assert.equal(rows, count);
    assert.equal(multiline, Math.ceil(count / 7));
  });

  it("writes JSONL and JSON, and gzips a .gz key", async () => {
    const records = [record(1), record(2), { id: 3, nested: { a: [1, 2] }, flag: false }];
    assert.equal((await load("out/r.jsonl", fromArray(records))).rows, 3);
    assert.equal((await load("out/r.json", fromArray(records))).rows, 3);
    assert.equal((await load("out/{{ ds_nodash }}/r.jsonl.gz", fromArray(records))).rows, 3);
    const lines = (await objectBytes("out/r.jsonl")).toString().trim().split("\n").map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(lines, records);
    assert.deepEqual(JSON.parse((await objectBytes("out/r.json")).toString()), records);
    assert.equal(gunzipSync(await objectBytes("out/20240102/r.jsonl.gz")).toString(), (await objectBytes("out/r.jsonl")).toString());
  });

  it("an upload that fails after several parts leaves no object and no parts", async () => {
    // The records' own error comes out as itself (not as an S3 error), after two parts went up.
    await assert.rejects(load("out/broken.csv", generate(70_000, 65_000)), { code: "bad-cast", message: "upstream broke" });
    assert.equal(await head("out/broken.csv"), undefined);
    assert.equal(await pendingUploads("out/broken.csv"), 0);
  });

  it("a gzipped upload whose source fails rejects (no hang) and leaves no object", async () => {
    await assert.rejects(load("out/broken.csv.gz", generate(20_000, 19_000)), { code: "bad-cast" });
    assert.equal(await head("out/broken.csv.gz"), undefined);
  });

  it("a failed upload leaves the previous object exactly as it was", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "out/keep.csv", Body: "id\n1\n" }));
    await assert.rejects(load("out/keep.csv", generate(70_000, 60_000)), { code: "bad-cast" });
    assert.equal((await objectBytes("out/keep.csv")).toString(), "id\n1\n");
    assert.equal(await pendingUploads("out/keep.csv"), 0);
  });

  it("a cancelled load (AbortSignal) leaves no object", async () => {
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<DataRecord> {
      for (let i = 0; i < 70_000; i++) {
        if (i === 40_000) controller.abort(new Error("run cancelled"));
        yield record(i);
      }
    }
    await assert.rejects(load("out/cancelled.csv", slow(), {}, controller.signal), /run cancelled/);
    assert.equal(await head("out/cancelled.csv"), undefined);
    assert.equal(await pendingUploads("out/cancelled.csv"), 0);
  });
});

describe("s3 errors", () => {
  it("a wrong secret is a permanent credentials error that says what to fix and never shows the secret", async () => {
    const secret = `wrong-${randomBytes(12).toString("hex")}`;
    const connection = { ...s3.connection(bucket), secret_access_key: secret };
    const request = { ...context(connection, [secret]), extract: { connection: "lake", key: "*.csv" } as Extract };
    await assert.rejects(s3Connector.extract(request), (err: Error & { code?: string; transient?: boolean }) => {
      assert.equal(err.code, "s3-credentials");
      assert.equal(err.transient, false);
      assert.match(err.message, /secret_access_key/);
      assert.ok(!err.message.includes(secret) && !err.stack?.includes(secret), "the secret must not appear");
      return true;
    });
  });

  it("a missing bucket is permanent and names the bucket", async () => {
    const request = { ...context(s3.connection("no-such-bucket-here")), extract: { connection: "lake", key: "a/*.csv" } as Extract };
    await assert.rejects(s3Connector.extract(request), (err: Error & { code?: string; transient?: boolean }) => {
      assert.equal(err.code, "s3-no-such-bucket");
      assert.equal(err.transient, false);
      assert.match(err.message, /no-such-bucket-here/);
      return true;
    });
  });

  it("an unreachable endpoint is transient (the runner retries it)", async () => {
    const request = { ...context({ ...s3.connection(bucket), endpoint: "http://127.0.0.1:9" }), extract: { connection: "lake", key: "a/*.csv" } as Extract };
    await assert.rejects(s3Connector.extract(request), { code: "s3-network", transient: true });
  });

  it("an s3 load needs one key", async () => {
    await assert.rejects(load("", fromArray([])), { code: "bad-step" });
    await assert.rejects(load(["a", "b"] as unknown as string, fromArray([])), { code: "bad-step" });
  });
});
