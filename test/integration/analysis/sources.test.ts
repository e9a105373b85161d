/** S3 (real MinIO), file and HTTP (loopback) analysis through `analyzeSource`. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { ConnectorError } from "../../../server/src/errors";
import type { Connection } from "../../../server/src/pipeline/model";
import { analyzeSource } from "../../../server/src/sources/analysis";
import type { AnalyzeContext } from "../../../server/src/sources/analysis/types";
import { startApi, type TestApi } from "../../support/httpServer";
import { startS3, type TestS3 } from "../../support/s3";
import { putObjects } from "../s3/helpers";

let s3: TestS3;
let bucket: string;
let api: TestApi;
let root: string;
let outside: string;

const MANY = 2050;

function ctx(connection: Record<string, unknown>, extra: Partial<AnalyzeContext> = {}): AnalyzeContext {
  return { connection: connection as unknown as Connection, connectionName: "src", baseDir: root, secrets: [], timeoutMs: 10_000, ...extra };
}

const columnsOf = (result: { columns: { name: string; type: string }[] }) => result.columns.map((c) => [c.name, c.type]);

before(async () => {
  [s3, api] = await Promise.all([startS3(), startApi(Array.from({ length: 5 }, (_, i) => ({ id: i, when: "2024-01-0" + (i + 1), tags: ["a"] })))]);
  bucket = await s3.createBucket("analysis");
  const many: Array<[string, string]> = [];
  for (let i = 0; i < MANY; i++) many.push([`lake/many/part-${String(i).padStart(5, "0")}.txt`, "x"]);
  many.push([`lake/many/zz-last.jsonl`, '{"k":1,"v":"a"}\n']);
  await putObjects(s3, bucket, [
    ...many,
    ["lake/raw/2024-01-02/orders.csv", '"order id","full, name",amount\n1,"Smith, Jo",9.5\n2,"O""Brien",3\n'],
    ["lake/raw/2024-01-03/orders.csv", "other,cols\n1,2\n"],
    ["lake/raw/readme.md", "hi"],
    ["lake/zipped.csv.gz", gzipSync("id,v\n1,x\n2,y\n")],
    ["outside.csv", "a\n1\n"],
    ["headers/blank.csv", "id,,name,\n1,2,Ann,3\n"],
    ["headers/dup.csv", "id, id\n1,2\n"],
  ], 8);
  root = mkdtempSync(join(tmpdir(), "analysis-files-"));
  outside = mkdtempSync(join(tmpdir(), "analysis-outside-"));
  mkdirSync(join(root, "data", "2024"), { recursive: true });
  writeFileSync(join(root, "data", "2024", "a.jsonl"), '{"id":1,"ok":true,"at":"2024-01-01T10:00:00Z"}\n{"id":2,"ok":false,"at":"2024-01-02T10:00:00Z"}\n');
  writeFileSync(join(root, "data", "top.csv"), "x;y\n1;2\n");
  writeFileSync(join(root, "data", "2024", "blank.csv"), "id,,name,\n1,2,Ann,3\n");
  writeFileSync(join(root, "data", "2024", "dup.csv"), "id, id\n1,2\n");
  writeFileSync(join(root, ".env"), "SECRET=1\n");
  writeFileSync(join(outside, "secret.csv"), "s\n1\n");
  symlinkSync(outside, join(root, "data", "escape"));
});
after(async () => {
  await Promise.all([s3?.stop(), api?.close()]);
  for (const d of [root, outside]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("s3 analysis", () => {
  const lake = () => ctx({ ...s3.connection(bucket), prefix: "lake/" });

  it("lists one folder level relative to the connection's prefix", async () => {
    const top = await analyzeSource(lake(), { kind: "folder", prefix: "" });
    assert.deepEqual(top.folders, ["many/", "raw/"]);
    assert.deepEqual(top.files.map((f) => f.key), ["zipped.csv.gz"]);
    const raw = await analyzeSource(lake(), { kind: "folder", prefix: "raw" });
    assert.equal(raw.prefix, "raw/");
    assert.deepEqual(raw.folders, ["raw/2024-01-02/", "raw/2024-01-03/"]);
    assert.deepEqual(raw.files.map((f) => [f.key, f.size]), [["raw/readme.md", 2]]);
    assert.match(raw.files[0]?.lastModified ?? "", /^\d{4}-\d\d-\d\dT/);
  });

  it("bounds a big folder, and pages past 1,000 keys when the limit allows", async () => {
    const bounded = await analyzeSource(lake(), { kind: "folder", prefix: "many/" });
    assert.equal(bounded.files.length, 1000);
    assert.equal(bounded.truncated, true);
    const all = await analyzeSource(lake(), { kind: "folder", prefix: "many/", limit: 5000 });
    assert.equal(all.files.length, MANY + 1);
    assert.equal(all.truncated, false);
  });

  it("samples a CSV with quoted headers, a glob's first match past a page of keys, templates and gzip", async () => {
    const csv = await analyzeSource(lake(), { kind: "data-columns", key: "raw/{{ ds }}/orders.csv" });
    assert.equal(csv.key, "raw/2024-01-02/orders.csv");
    assert.deepEqual(columnsOf(csv), [["order id", "integer"], ["full, name", "string"], ["amount", "number"]]);
    assert.equal(csv.sampledRecords, 2);
    const last = await analyzeSource(lake(), { kind: "data-columns", key: "many/*.jsonl" });
    assert.equal(last.key, "many/zz-last.jsonl");
    assert.deepEqual(columnsOf(last), [["k", "integer"], ["v", "string"]]);
    const zipped = await analyzeSource(lake(), { kind: "data-columns", key: "zipped.csv.gz" });
    assert.deepEqual(columnsOf(zipped), [["id", "integer"], ["v", "string"]]);
  });

  it("says which key is missing, and keeps the secret key out of errors", async () => {
    await assert.rejects(analyzeSource(lake(), { kind: "data-columns", key: "nope/*.csv" }), (err: unknown) => err instanceof ConnectorError && err.code === "not-found" && /nope\/\*\.csv/.test(err.message));
    const secret = `wrong-${Math.random().toString(36).slice(2)}-secret`;
    const bad = ctx({ ...s3.connection(bucket), secret_access_key: secret }, { secrets: [secret] });
    await assert.rejects(analyzeSource(bad, { kind: "folder", prefix: "" }), (err: unknown) => err instanceof ConnectorError && !err.message.includes(secret));
  });

  it("refuses a request that does not fit the connection type", async () => {
    await assert.rejects(analyzeSource(lake(), { kind: "catalog" }), (err: unknown) => err instanceof ConnectorError && err.code === "analysis-request");
  });

  it("names CSV columns as the runner does: an empty header is column_N, a repeated one fails naming the object", async () => {
    const blank = await analyzeSource(ctx(s3.connection(bucket)), { kind: "data-columns", key: "headers/blank.csv" });
    assert.deepEqual(columnsOf(blank), [["id", "integer"], ["column_2", "integer"], ["name", "string"], ["column_4", "integer"]]);
    await assert.rejects(
      analyzeSource(ctx(s3.connection(bucket)), { kind: "data-columns", key: "headers/dup.csv" }),
      (err: unknown) => err instanceof ConnectorError && err.code === "bad-record" && err.message.startsWith(`s3://${bucket}/headers/dup.csv: the CSV header gives more than one column the same name`) && /`id` twice \(columns 1 and 2/.test(err.message),
    );
  });
});

describe("file analysis", () => {
  const files = () => ctx({ type: "file", root: "." });

  it("lists a folder under the root, hiding dot files and links that leave it", async () => {
    const top = await analyzeSource(files(), { kind: "folder", prefix: "" });
    assert.deepEqual(top.folders, ["data/"]);
    assert.deepEqual(top.files, []);
    const data = await analyzeSource(files(), { kind: "folder", prefix: "data/" });
    assert.deepEqual(data.folders, ["data/2024/"]);
    assert.deepEqual(data.files.map((f) => f.key), ["data/top.csv"]);
    await assert.rejects(analyzeSource(files(), { kind: "folder", prefix: "../" }), (err: unknown) => err instanceof ConnectorError && err.code === "path-outside-root");
    await assert.rejects(analyzeSource(files(), { kind: "folder", prefix: "data/escape/" }), (err: unknown) => err instanceof ConnectorError);
  });

  it("samples the first file a glob matches, with CSV options", async () => {
    const jsonl = await analyzeSource(files(), { kind: "data-columns", key: "data/**/*.jsonl" });
    assert.equal(jsonl.key, "data/2024/a.jsonl");
    assert.deepEqual(columnsOf(jsonl), [["id", "integer"], ["ok", "boolean"], ["at", "timestamp"]]);
    const csv = await analyzeSource(files(), { kind: "data-columns", key: "data/top.csv", csv: { delimiter: ";" } });
    assert.deepEqual(columnsOf(csv), [["x", "integer"], ["y", "integer"]]);
    await assert.rejects(analyzeSource(files(), { kind: "data-columns", key: "data/escape/secret.csv" }), (err: unknown) => err instanceof ConnectorError && err.code === "path-outside-root");
  });

  it("names CSV columns as the runner does: an empty header is column_N, a repeated one fails naming the file", async () => {
    const blank = await analyzeSource(files(), { kind: "data-columns", key: "data/2024/blank.csv" });
    assert.deepEqual(columnsOf(blank), [["id", "integer"], ["column_2", "integer"], ["name", "string"], ["column_4", "integer"]]);
    await assert.rejects(
      analyzeSource(files(), { kind: "data-columns", key: "data/2024/dup.csv" }),
      (err: unknown) => err instanceof ConnectorError && err.code === "bad-record" && /^data\/2024\/dup\.csv: the CSV header .*`id` twice \(columns 1 and 2/.test(err.message),
    );
  });
});

describe("http analysis", () => {
  const http = (extra: Record<string, unknown> = {}) => ctx({ type: "http", base_url: api.url, ...extra });

  it("reads the fields at `records`, or finds the first array of objects", async () => {
    const paged = await analyzeSource(http(), { kind: "http-sample", path: "/page", records: "data.items" });
    assert.deepEqual(columnsOf(paged), [["id", "integer"], ["when", "date"], ["tags", "json"]]);
    assert.equal(paged.records, "data.items");
    const detected = await analyzeSource(http(), { kind: "http-sample", path: "/offset" });
    assert.equal(detected.records, "results");
    assert.deepEqual(detected.bodyKeys, ["results"]);
    assert.equal(detected.sampledRecords, 5);
  });

  it("sees a Link rel=next header, and sends method, query, body and auth", async () => {
    const link = await analyzeSource(http(), { kind: "http-sample", path: "/link" });
    assert.equal(link.records, null);
    assert.equal(link.linkNext, false, "5 records fit one page");
    const token = `t-${Math.random().toString(36).slice(2)}`;
    const echo = await analyzeSource(http({ auth: { type: "bearer", token } }), { kind: "http-sample", path: "/echo", method: "POST", query: { day: "{{ ds }}" }, body: { q: 1 } });
    assert.ok(echo.columns.some((c) => c.name === "authorization"));
    const seen = api.requests.at(-1);
    assert.equal(seen?.method, "POST");
    assert.equal(seen?.headers.authorization, `Bearer ${token}`);
    assert.match(seen?.query.day ?? "", /^\d{4}-\d\d-\d\d$/);
    assert.equal(seen?.body, '{"q":1}');
  });

  it("fails once, without retries, with the status and a hint", async () => {
    api.clear();
    api.fail({ status: 503 });
    await assert.rejects(analyzeSource(http(), { kind: "http-sample", path: "/page" }), (err: unknown) => err instanceof ConnectorError && err.transient);
    assert.equal(api.requests.length, 1);
    await assert.rejects(analyzeSource(http(), { kind: "http-sample", path: "/missing" }), (err: unknown) => err instanceof ConnectorError && err.code === "http-404");
  });

  it("gives up at the time limit", async () => {
    api.clear();
    api.fail({ delayMs: 3000 });
    const t0 = Date.now();
    await assert.rejects(analyzeSource({ ...http(), timeoutMs: 200 }, { kind: "http-sample", path: "/page" }), ConnectorError);
    assert.ok(Date.now() - t0 < 2500);
  });
});
