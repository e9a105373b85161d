/**
 * `incremental: {by: modified | partition}` and `partition_columns` on S3 (MinIO, through the CLI,
 * loaded into a real PostgreSQL) and on local files (the connector itself): only objects or files
 * newer than the last run's mark, or partitions after it, are read; partition folders become typed
 * columns of the records.
 */
import assert from "node:assert/strict";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { utimesSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import type { Connection, Extract } from "../../../server/src/pipeline/model";
import { fileConnector } from "../../../server/src/sources/file";
import type { DataRecord } from "../../../server/src/sources/types";
import { poll } from "../../support/poll";
import { startS3, type TestS3 } from "../../support/s3";
import { postgresProject, runCli } from "./helpers";

const DB = "objects_incremental";
const cluster = postgresProject("objects-incremental", DB);
const p = cluster.p;

describe("S3 incremental extracts (dist/cli.js, MinIO, PostgreSQL)", () => {
  let s3: TestS3;
  let bucket: string;
  const env = () => ({ OI_S3_ENDPOINT: s3.endpoint, OI_S3_KEY: s3.accessKeyId, OI_S3_SECRET: s3.secretAccessKey, OI_PG_URL: cluster.url });
  const put = (key: string, body: string) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const lake = () => `  lake: { type: s3, bucket: ${bucket}, endpoint: "\${env:OI_S3_ENDPOINT}", region: us-east-1, force_path_style: true, access_key_id: "\${env:OI_S3_KEY}", secret_access_key: "\${env:OI_S3_SECRET}" }`;
  const pipeline = (name: string, extract: string, table: string) => `version: 1
name: ${name}
connections:
${lake()}
  db: { type: postgres, url: "\${env:OI_PG_URL}" }
steps:
  - id: ex
    extract: ${extract}
  - id: ld
    depends_on: [ex]
    load: { connection: db, table: ${table} }
`;
  const run = async (file: string) => {
    const result = await runCli(["run", file], { cwd: p.dir, env: env() });
    assert.equal(result.code, 0, result.stdout + result.stderr);
  };
  const q = <T extends Record<string, unknown>>(sql: string) => cluster.server.query<T>(sql, [], DB);

  before(async () => {
    s3 = await startS3();
    bucket = await s3.createBucket("incremental");
  });
  after(async () => s3?.stop());

  it("by: modified reads only the objects modified since the last run", async () => {
    await put("orders/a.jsonl", '{"id":1}\n{"id":2}\n');
    await put("orders/b.jsonl", '{"id":3}\n');
    const file = p.write("modified/p.etl.yaml", pipeline("by_modified", "{ connection: lake, key: 'orders/*.jsonl', incremental: { by: modified } }", "orders_mod"));
    await run(file);
    assert.deepEqual((await q<{ id: number }>("SELECT id::int AS id FROM orders_mod ORDER BY id")).map((r) => r.id), [1, 2, 3]);
    // S3 keeps whole seconds: c must be written in a later second than b to be newer than the mark.
    const bModified = (await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "orders/b.jsonl" }))).LastModified!.getTime();
    await poll("a second later than b's modification time", () => (Math.floor(Date.now() / 1000) > Math.floor(bModified / 1000) ? true : undefined), 5_000, 50);
    await put("orders/c.jsonl", '{"id":4}\n');
    await run(file);
    await run(file);
    assert.deepEqual((await q<{ id: number }>("SELECT id::int AS id FROM orders_mod ORDER BY id")).map((r) => r.id), [1, 2, 3, 4], "c read once; a and b not again");
  });

  it("by: partition reads only the partitions after the last one read; partition folders become typed columns", async () => {
    await put("events/dt=2024-01-01/hour=7/part.csv", "id,v\n1,a\n");
    await put("events/dt=2024-01-01/hour=8/part.csv", "id,v\n2,b\n");
    await put("events/dt=2024-01-02/hour=7/part.csv", "id,v\n3,c\n");
    const file = p.write("partition/p.etl.yaml", pipeline("by_partition", "{ connection: lake, key: 'events/**/*.csv', incremental: { by: partition } }", "events"));
    await run(file);
    await put("events/dt=2024-01-01/hour=9/part.csv", "id,v\n99,late\n"); // before the mark: not read
    await put("events/dt=2024-01-03/hour=7/part.csv", "id,v\n4,d\n");
    await run(file);
    const rows = await q<{ id: string; dt: string; hour: number }>("SELECT id, to_char(dt, 'YYYY-MM-DD') AS dt, hour::int AS hour FROM events ORDER BY id::int");
    assert.deepEqual(rows.map((r) => [r.id, r.dt, r.hour]), [["1", "2024-01-01", 7], ["2", "2024-01-01", 8], ["3", "2024-01-02", 7], ["4", "2024-01-03", 7]]);
    const types = await q<{ column_name: string; data_type: string }>("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position");
    assert.deepEqual(Object.fromEntries(types.map((t) => [t.column_name, t.data_type])), { dt: "date", hour: "bigint", id: "text", v: "text" });
  });
});

describe("file incremental extracts and partition columns (the file connector)", () => {
  const connection = { type: "file", root: "lake" } as unknown as Connection;
  async function read(extract: Partial<Extract>, highWater?: string): Promise<{ rows: DataRecord[]; mark: unknown }> {
    const request = { connection, connectionName: "disk", baseDir: p.dir, templates: { ds: "2024-01-02", ds_nodash: "20240102", ts: "2024-01-02T00:00:00+00:00", ts_nodash: "20240102T000000", run_id: "r", params: {} }, signal: new AbortController().signal, logger: pino({ level: "silent" }), secrets: [], extract: { connection: "disk", ...extract } as Extract, ...(highWater !== undefined ? { highWater } : {}) };
    const result = await fileConnector.extract(request);
    const rows: DataRecord[] = [];
    for await (const r of result.records) rows.push(r);
    return { rows, mark: result.highWater?.() };
  }

  it("by: modified, with the mark the runner passes back", async () => {
    const a = p.write("lake/in/a.jsonl", '{"id":1}\n');
    const b = p.write("lake/in/b.jsonl", '{"id":2}\n');
    utimesSync(a, new Date("2024-01-01T00:00:00Z"), new Date("2024-01-01T00:00:00Z"));
    utimesSync(b, new Date("2024-01-02T00:00:00Z"), new Date("2024-01-02T00:00:00Z"));
    const first = await read({ path: "in/*.jsonl", incremental: { by: "modified" } });
    assert.deepEqual(first, { rows: [{ id: 1 }, { id: 2 }], mark: "2024-01-02T00:00:00.000Z" });
    assert.deepEqual(await read({ path: "in/*.jsonl", incremental: { by: "modified" } }, "2024-01-01T12:00:00Z"), { rows: [{ id: 2 }], mark: "2024-01-02T00:00:00.000Z" });
    assert.deepEqual(await read({ path: "in/*.jsonl", incremental: { by: "modified" } }, "2024-01-02T00:00:00.000Z"), { rows: [], mark: undefined });
    assert.deepEqual(await read({ path: "empty/*.jsonl", incremental: { by: "modified" } }), { rows: [], mark: undefined }, "an empty folder is no error");
  });

  it("partition columns: by default from the folders the glob crosses; `true` takes all, `false` none", async () => {
    p.write("lake/sales/region=eu/dt=2024-01-01/x.csv", "id,dt\n1,own\n");
    p.write("lake/sales/region=eu/dt=2024-01-02/x.csv", "id\n2\n");
    assert.deepEqual((await read({ path: "sales/region=eu/*/x.csv" })).rows, [{ dt: "own", id: "1" }, { dt: "2024-01-02", id: "2" }], "the file's own column wins");
    assert.deepEqual((await read({ path: "sales/region=eu/*/x.csv", partition_columns: true })).rows, [{ region: "eu", dt: "own", id: "1" }, { region: "eu", dt: "2024-01-02", id: "2" }]);
    assert.deepEqual((await read({ path: "sales/**/x.csv", partition_columns: false })).rows, [{ id: "1", dt: "own" }, { id: "2" }]);
    assert.deepEqual(await read({ path: "sales/**/x.csv", incremental: { by: "partition" } }, "region=eu/dt=2024-01-01"), { rows: [{ region: "eu", dt: "2024-01-02", id: "2" }], mark: "region=eu/dt=2024-01-02" });
  });
});
