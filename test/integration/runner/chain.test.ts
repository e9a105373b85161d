/**
 * End to end in ONE run: file → cast → PostgreSQL (append, replace and merge) → S3 → file, with
 * exact row counts and checksums at every hop. The expected checksums come from the generated
 * values themselves (never from our readers), and PostgreSQL computes the tables' checksums in SQL.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { readRowsBatches } from "../../../server/src/sources/formats/rows";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { startS3, type TestS3 } from "../../support/s3";
import { project, readEvents, runCli } from "./helpers";

const N = 4000;
/** Rows already in the merge target: ids 1..EXTRA*2 step 2 hold stale values, ids above N are not in the source. */
const EXTRA = 300;

interface Row {
  id: number;
  customer: string;
  amount: string;
  createdAt: string;
  note: string;
}

/** Notes that CSV and COPY must both get right: quotes, delimiters, newlines, tabs, backslashes, non-ASCII. */
function note(i: number): string {
  if (i % 11 === 0) return `said "hi", then left`;
  if (i % 13 === 0) return `two\nlines`;
  if (i % 17 === 0) return `tab\there \\ backslash`;
  if (i % 19 === 0) return `Grüße ✓`;
  return `note ${i % 97}`;
}

function sourceRow(i: number): Row {
  const day = String((i % 28) + 1).padStart(2, "0");
  return { id: i, customer: `cust_${i % 250}`, amount: `${i % 1000}.${String(i % 100).padStart(2, "0")}`, createdAt: `2024-03-${day}T${String(i % 24).padStart(2, "0")}:15:00.000Z`, note: note(i) };
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function sourceCsv(rows: Row[]): string {
  // A BOM, CRLF line ends, and the timestamps without milliseconds as people write them.
  const lines = rows.map((r) => [r.id, r.customer, r.amount, r.createdAt.replace(".000Z", "Z"), r.note].map((v) => csvField(String(v))).join(","));
  return `\uFEFFid,customer,amount,created_at,note\r\n${lines.join("\r\n")}\r\n`;
}

/** md5 over the rows in id order, each row md5(id␟customer␟amount␟created_at␟note): the same formula as CHECKSUM_SQL. */
function checksum(rows: readonly Row[]): string {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const per = sorted.map((r) => createHash("md5").update([r.id, r.customer, r.amount, r.createdAt, r.note].join("\x1f")).digest("hex"));
  return createHash("md5").update(per.join(",")).digest("hex");
}

const checksumSql = (table: string) => `SELECT count(*)::int AS n, md5(string_agg(md5(id::text || chr(31) || customer || chr(31) || amount::text || chr(31)
  || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || chr(31) || note), ',' ORDER BY id)) AS sum FROM ${table}`;

/** A record read back from JSON or CSV, in the checksum's canonical form. */
function canonical(record: Record<string, unknown>): Row {
  return { id: Number(record.id), customer: String(record.customer), amount: String(record.amount), createdAt: new Date(String(record.created_at)).toISOString(), note: String(record.note) };
}

const PIPELINE = (bucket: string) => `version: 1
name: chain
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:CHAIN_PG_URL}" }
  lake:
    type: s3
    bucket: ${bucket}
    endpoint: "\${env:CHAIN_S3_ENDPOINT}"
    region: us-east-1
    force_path_style: true
    access_key_id: "\${env:CHAIN_S3_KEY}"
    secret_access_key: "\${env:CHAIN_S3_SECRET}"
steps:
  - id: src
    extract: { connection: files, path: data/orders.csv }
  - id: typed
    depends_on: [src]
    transform:
      - cast: { id: integer, amount: decimal, created_at: timestamp }
  - id: to_append
    depends_on: [typed]
    load: { connection: db, table: orders_append, mode: append }
  - id: to_replace
    depends_on: [typed]
    load: { connection: db, table: orders_replace, mode: replace }
  - id: to_merge
    depends_on: [typed]
    load: { connection: db, table: orders_merge, mode: merge, key: id }
  - id: from_pg
    depends_on: [to_append, to_replace, to_merge]
    extract: { connection: db, query: "SELECT id, customer, amount, created_at, note FROM orders_merge ORDER BY id" }
  - id: to_s3
    depends_on: [from_pg]
    load: { connection: lake, key: "out/{{ run_id }}/orders.jsonl" }
  - id: from_s3
    depends_on: [to_s3]
    extract: { connection: lake, key: "out/{{ run_id }}/orders.jsonl" }
  - id: to_file
    depends_on: [from_s3]
    load: { connection: files, path: out/final.csv }
`;

describe("one run: file → PostgreSQL (append, replace, merge) → S3 → file", () => {
  const p = project("chain");
  let pg: TestPostgres;
  let s3: TestS3;
  let bucket = "";
  let dbUrl = "";
  const source = Array.from({ length: N }, (_, i) => sourceRow(i + 1));

  before(async () => {
    [pg, s3] = await Promise.all([startPostgres(), startS3()]);
    bucket = await s3.createBucket("chain");
    dbUrl = await pg.createDatabase("chain");
    const ddl = "(id bigint PRIMARY KEY, customer text, amount numeric, created_at timestamptz, note text)";
    await pg.query(`CREATE TABLE orders_replace ${ddl}; INSERT INTO orders_replace VALUES (999999, 'junk', 1, now(), 'gone after replace')`, [], "chain");
    await pg.query(`CREATE TABLE orders_merge ${ddl}`, [], "chain");
    // Stale versions of some source rows (updated by the merge) and rows the source lacks (kept).
    await pg.query(`INSERT INTO orders_merge SELECT i, 'stale', 0, '2000-01-01Z', 'stale' FROM generate_series(2, ${2 * EXTRA}, 2) i`, [], "chain");
    await pg.query(`INSERT INTO orders_merge SELECT ${N} + i, 'kept_' || i, (i || '.50')::numeric, '2001-01-01T00:00:00Z', 'kept ' || i FROM generate_series(1, ${EXTRA}) i`, [], "chain");
    p.write("data/orders.csv", sourceCsv(source));
  });
  after(async () => {
    await Promise.all([pg?.stop(), s3?.stop()]);
    p.cleanup();
  });

  it("moves exactly the right rows, with the same checksum at every hop", async () => {
    const kept = Array.from({ length: EXTRA }, (_, i) => ({ id: N + i + 1, customer: `kept_${i + 1}`, amount: `${i + 1}.50`, createdAt: "2001-01-01T00:00:00.000Z", note: `kept ${i + 1}` }));
    const merged = [...source, ...kept];
    const file = p.write("chain.etl.yaml", PIPELINE(bucket));
    const events = join(p.dir, "events.jsonl");
    const env = { CHAIN_PG_URL: dbUrl, CHAIN_S3_ENDPOINT: s3.endpoint, CHAIN_S3_KEY: s3.accessKeyId, CHAIN_S3_SECRET: s3.secretAccessKey };
    const r = await runCli(["run", file, "--run-id", "c1", "--events", events, "--concurrency", "2"], { cwd: p.dir, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);

    const rows = Object.fromEntries(readEvents(events).filter((e) => e.event === "step_succeeded").map((e) => [e.step, e.rows]));
    // Plain output says what a replace or merge does once its rows are sent (its longest wait).
    assert.match(r.stdout, new RegExp(`… to_replace: all ${N.toLocaleString("en-US")} rows sent; replacing the rows of orders_replace\\n`));
    assert.match(r.stdout, new RegExp(`… to_merge: all ${N.toLocaleString("en-US")} rows sent; merging them into orders_merge\\n`));
    const all = N + EXTRA;
    assert.deepEqual(rows, { src: N, typed: N, to_append: N, to_replace: N, to_merge: N, from_pg: all, to_s3: all, from_s3: all, to_file: all });

    const expectedSource = checksum(source);
    for (const table of ["orders_append", "orders_replace"]) {
      assert.deepEqual(await pg.query(checksumSql(table), [], "chain"), [{ n: N, sum: expectedSource }], table);
    }
    assert.deepEqual(await pg.query(checksumSql("orders_merge"), [], "chain"), [{ n: all, sum: checksum(merged) }], "orders_merge");

    const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "out/c1/orders.jsonl" }));
    const lines = (await object.Body?.transformToString("utf8"))?.trim().split("\n") ?? [];
    assert.equal(lines.length, all);
    assert.equal(checksum(lines.map((l) => canonical(JSON.parse(l) as Record<string, unknown>))), checksum(merged), "the S3 object");

    const final = parse(p.read("out/final.csv"), { columns: true, bom: true }) as Record<string, unknown>[];
    assert.equal(final.length, all);
    assert.equal(checksum(final.map(canonical)), checksum(merged), "the final file");
  });

  const streaming = (csv: string, table: string) => `version: 1
name: streaming_${table}
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:CHAIN_PG_URL}" }
steps:
  - id: src
    extract: { connection: files, path: ${csv} }
  - id: typed
    depends_on: [src]
    transform:
      - cast: { id: integer, amount: decimal, created_at: timestamp }
  - id: load
    depends_on: [typed]
    load: { connection: db, table: ${table}, mode: append }
`;

  it("a load streaming from a transform that fails midway changes nothing and never starts", async () => {
    const bad = sourceCsv(source).replace(/\r\n$/, "\r\n99999,x,not a number,2024-01-01T00:00:00Z,bad\r\n");
    p.write("data/bad.csv", bad);
    const file = p.write("bad.etl.yaml", streaming("data/bad.csv", "never_created"));
    const events = join(p.dir, "bad-events.jsonl");
    const r = await runCli(["run", file, "--run-id", "b1", "--events", events], { cwd: p.dir, env: { CHAIN_PG_URL: dbUrl } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const ev = readEvents(events);
    assert.deepEqual(ev.filter((e) => e.event === "step_started").map((e) => e.step), ["src", "typed"]);
    assert.match(String(ev.find((e) => e.event === "step_failed")?.error), new RegExp(`row ${N + 1}.*"not a number"`));
    assert.deepEqual(ev.find((e) => e.event === "run_finished")?.steps, { src: "succeeded", typed: "failed", load: "skipped" });
    assert.deepEqual(await pg.query("SELECT to_regclass('never_created') AS t", [], "chain"), [{ t: null }], "the load's table was never committed");
  });

  it("a load that fails while its upstream streams leaves the upstream's staged output complete", async () => {
    await pg.query("CREATE TABLE narrow (id bigint)", [], "chain");
    const file = p.write("narrow.etl.yaml", streaming("data/orders.csv", "narrow"));
    const events = join(p.dir, "narrow-events.jsonl");
    const r = await runCli(["run", file, "--run-id", "n1", "--events", events], { cwd: p.dir, env: { CHAIN_PG_URL: dbUrl } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const ev = readEvents(events);
    assert.deepEqual(ev.filter((e) => e.event === "step_started").map((e) => e.step), ["src", "typed", "load"]);
    assert.deepEqual(Object.fromEntries(ev.filter((e) => e.event === "step_succeeded").map((e) => [e.step, e.rows])), { src: N, typed: N });
    assert.match(String(ev.find((e) => e.event === "step_failed" && e.step === "load")?.error), /table narrow has no column "customer"/);
    const staged: Row[] = [];
    for await (const batch of readRowsBatches(createReadStream(join(p.dir, ".etl/runs/n1/typed.rows")))) for (const r of batch) staged.push(canonical(r));
    assert.equal(checksum(staged), checksum(source), "the transform's staged output is complete");
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM narrow", [], "chain"), [{ n: 0 }]);
  });

  it("a streamed chain: each step's time covers its streaming from its first rows, and events keep the spec's order", async () => {
    const file = p.write("streamed.etl.yaml", streaming("data/orders.csv", "streamed"));
    const events = join(p.dir, "streamed-events.jsonl");
    const r = await runCli(["run", file, "--run-id", "s1", "--events", events], { cwd: p.dir, env: { CHAIN_PG_URL: dbUrl } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM streamed", [], "chain"), [{ n: N }]);
    const ev = readEvents(events);
    const spec = new Set(["run_started", "step_started", "step_progress", "step_retry", "step_succeeded", "step_failed", "run_finished"]);
    assert.deepEqual(ev.filter((e) => !spec.has(e.event)), [], "the file holds only the spec's events");
    for (const step of ["src", "typed", "load"]) {
      const started = ev.findIndex((e) => e.event === "step_started" && e.step === step);
      const firstProgress = ev.findIndex((e) => e.event === "step_progress" && e.step === step);
      assert.ok(started >= 0 && (firstProgress === -1 || firstProgress > started), `${step}: step_progress only after step_started`);
    }
    const took = Object.fromEntries(ev.filter((e) => e.event === "step_succeeded").map((e) => [e.step, Number(e.duration_ms)]));
    // typed and load streamed while src read: their times count from their first rows (not from
    // when they were launched beside src, nor only their tails), and none outlasts the run.
    const run = ev.find((e) => e.event === "run_finished");
    for (const step of ["src", "typed", "load"]) assert.ok((took[step] ?? Infinity) <= Number(run?.duration_ms), JSON.stringify({ took, run: run?.duration_ms }));
    const state = JSON.parse(p.read(".etl/runs/s1/state.json")) as { steps: Record<string, { started_at: string; finished_at: string }> };
    assert.ok(state.steps.typed && state.steps.src && state.steps.typed.started_at <= state.steps.src.finished_at, "typed started before src finished");
    assert.doesNotMatch(r.stdout, /rows sent/, "an append has nothing long left once its rows are sent");
  });

  it("merge writes new row versions only for rows whose values changed, json and numeric scale included", async () => {
    await pg.query("CREATE TABLE docs (id bigint PRIMARY KEY, name text, doc json, n numeric)", [], "chain");
    await pg.query(`INSERT INTO docs VALUES (1, 'same', '{"a":1}', 1.50), (2, 'old', '{"a":1}', 1.50), (3, 'same', '{"a":1}', 1.50), (4, 'same', '{"a":1}', 1.5), (5, 'Same', '{"a":1}', 1.50)`, [], "chain");
    const before = new Map((await pg.query<{ id: string; v: string }>("SELECT id::text, xmin::text AS v FROM docs", [], "chain")).map((r) => [r.id, r.v]));
    p.write("data/docs.csv", 'id,name,doc,n\n1,same,"{""a"": 1}",1.50\n2,new,"{""a"": 1}",1.50\n3,same,"{""a"": 2}",1.50\n4,same,"{""a"": 1}",1.50\n5,same,"{""a"": 1}",1.50\n6,added,"{""a"": 1}",1.50\n');
    const file = p.write("docs.etl.yaml", `version: 1
name: docs
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:CHAIN_PG_URL}" }
steps:
  - id: src
    extract: { connection: files, path: data/docs.csv }
  - id: typed
    depends_on: [src]
    transform:
      - cast: { id: integer, doc: json, n: decimal }
  - id: load
    depends_on: [typed]
    load: { connection: db, table: docs, mode: merge, key: id }
`);
    const plan = await runCli(["run", file, "--dry-run"], { cwd: p.dir, env: { CHAIN_PG_URL: dbUrl } });
    assert.match(plan.stdout, /load: load typed into db \(docs, merge\)/, "the plan names the table, not the merge key");
    const r = await runCli(["run", file, "--run-id", "d1"], { cwd: p.dir, env: { CHAIN_PG_URL: dbUrl } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /… load: all 6 rows sent; merging them into docs\n/);
    const after = await pg.query<{ id: string; name: string; doc: string; n: string; v: string }>("SELECT id::text, name, doc::text, n::text, xmin::text AS v FROM docs ORDER BY id", [], "chain");
    assert.deepEqual(after.map(({ v: _v, ...row }) => row), [
      { id: "1", name: "same", doc: '{"a":1}', n: "1.50" },
      { id: "2", name: "new", doc: '{"a":1}', n: "1.50" },
      { id: "3", name: "same", doc: '{"a":2}', n: "1.50" },
      { id: "4", name: "same", doc: '{"a":1}', n: "1.50" },
      { id: "5", name: "same", doc: '{"a":1}', n: "1.50" },
      { id: "6", name: "added", doc: '{"a":1}', n: "1.50" },
    ]);
    const rewritten = after.filter((row) => before.has(row.id) && before.get(row.id) !== row.v).map((row) => row.id);
    assert.deepEqual(rewritten, ["2", "3", "4", "5"], "row 1 is unchanged, so it keeps its row version");
  });
});
