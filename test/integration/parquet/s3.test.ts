/**
 * Parquet through the s3 connector against MinIO (test/support/s3.ts): every type round-trips,
 * and live analysis reads only the footer — counted by a loopback proxy in front of MinIO that
 * sees every request and every byte served.
 */
import assert from "node:assert/strict";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Extract, Load } from "../../../server/src/pipeline/model";
import { s3Connector } from "../../../server/src/sources/s3/connector";
import { inferS3Columns } from "../../../server/src/sources/s3/analyze";
import { writeParquet } from "../../../server/src/sources/formats/parquetWrite";
import type { DataRecord } from "../../../server/src/sources/types";
import { startS3, type TestS3 } from "../../support/s3";
import { bytesOf, context, putObjects } from "../s3/helpers";
import { collect, fromArray, READ_BACK, RECORDS, TYPES } from "./fixtures";

let s3: TestS3;
let bucket: string;
let proxy: Server;
let proxyUrl: string;
const served = { requests: 0, bytes: 0, ranges: [] as string[] };

/** Forwards every request to MinIO as it is (the Host header too, which the signature covers) and counts what comes back. */
function startProxy(target: URL): Promise<void> {
  proxy = createServer((req, res) => {
    served.requests++;
    served.ranges.push(String(req.headers.range ?? "(whole)"));
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on("data", (chunk: Buffer) => (served.bytes += chunk.length));
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => {
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    resolve();
  }));
}

before(async () => {
  s3 = await startS3();
  bucket = await s3.createBucket("parquet");
  await startProxy(new URL(s3.endpoint));
});

after(async () => {
  await s3Connector.close?.();
  proxy?.close();
  await s3?.stop();
});

describe("parquet on s3", () => {
  it("round-trips every type through MinIO", async () => {
    const ctx = context(s3.connection(bucket));
    const loaded = await s3Connector.load({ ...ctx, load: { connection: "lake", key: "typed/orders.parquet", mode: "append", create: true, compression: "gzip" } as Load, records: fromArray(RECORDS), columns: TYPES, runId: "r", stepId: "s" });
    assert.deepEqual(loaded, { rows: 3 });
    const result = await s3Connector.extract({ ...ctx, extract: { connection: "lake", key: "typed/*.parquet" } as Extract });
    assert.deepEqual(await collect(result.records), READ_BACK);
    assert.deepEqual(result.columns, TYPES);
  });

  it("analyses a large object from its footer alone: one ranged GET of a small part of it", async () => {
    async function* many(): AsyncGenerator<DataRecord> {
      for (let i = 0; i < 150_000; i++) yield { id: i, note: `row ${i} ${(i * 7919).toString(36).repeat(3)}`, amount: `${i % 1000}.5` };
    }
    const body = await bytesOf(writeParquet(many(), { columns: { id: "integer", note: "string", amount: "decimal" }, compression: "none", rowGroupRows: 20_000 }));
    await putObjects(s3, bucket, [["big/data.parquet", body]]);
    served.requests = 0;
    served.bytes = 0;
    served.ranges = [];
    const sample = await inferS3Columns(s3.connection(bucket, { endpoint: proxyUrl }), "big/data.parquet");
    assert.deepEqual(sample.columns.map((c) => [c.name, c.type]), [["id", "integer"], ["note", "string"], ["amount", "decimal"]]);
    assert.equal(sample.size, body.length);
    assert.deepEqual(served.ranges, ["bytes=-65536"]);
    assert.equal(served.requests, 1);
    assert.ok(served.bytes <= 65_536 && served.bytes * 20 < body.length, `analysis read ${served.bytes} of ${body.length} bytes`);
    assert.equal(sample.bytesRead, served.bytes);
  });

  it("extracts by ranged GETs, one per row group after the footer, never the whole object", async () => {
    served.ranges = [];
    const result = await s3Connector.extract({ ...context(s3.connection(bucket, { endpoint: proxyUrl })), extract: { connection: "lake", key: "big/data.parquet" } as Extract });
    let rows = 0;
    for await (const record of result.records) rows += record.id === undefined ? 0 : 1;
    assert.equal(rows, 150_000);
    const gets = served.ranges.filter((r) => r !== "(whole)");
    assert.equal(served.ranges.includes("(whole)"), false, served.ranges.join(", "));
    assert.equal(gets[0], "bytes=-65536");
    assert.equal(gets.length, 1 + Math.ceil(150_000 / 20_000));
  });
});
