/**
 * `agent-etl preview` (dist/cli.js) on files and a loopback API: the rows equal what a run
 * produces first, the limit stops the reading, caps are reported, nothing is written, errors are
 * the contract's JSON with their exit codes, and no secret is printed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startApi, type TestApi } from "../../support/httpServer";
import { project, runCli, type CliResult } from "./helpers";

const p = project("preview");
const ROWS = 20_000;
let api: TestApi;
const token = `tok-${randomBytes(12).toString("hex")}`;
const API_RECORDS = Array.from({ length: 35 }, (_, i) => ({ id: i + 1, name: `n${i + 1}` }));

interface Preview {
  pipeline: string;
  step: string;
  limit: number;
  columns: { name: string; type: string | null }[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  notes: string[];
  durationMs: number;
}
interface Failure {
  error: { code: string; message: string; fix: string | null; step: string | null };
}

function csv(rows: number, from = 1): string {
  const lines = ["order_id,customer,amount,day"];
  for (let i = from; i < from + rows; i++) lines.push(`${i},c${i % 97},${((i * 37) % 1000) / 10},2024-01-${String((i % 28) + 1).padStart(2, "0")}`);
  return lines.join("\n") + "\n";
}

const PIPELINE = `version: 1
name: shop
connections:
  files: { type: file, root: . }
  db: { type: postgres, url: "\${env:PREVIEW_DB}" }
  api:
    type: http
    base_url: \${env:PREVIEW_API}
    auth: { type: bearer, token: "\${env:PREVIEW_TOKEN}" }
steps:
  - id: orders
    extract: { connection: files, path: data/orders.csv }
  - id: shaped
    depends_on: [orders]
    transform:
      - cast: { order_id: integer, amount: decimal }
      - filter: "$number(amount) > 50"
      - derive: { doubled: "$number(amount) * 2", tag: "customer & '-' & day" }
      - drop: [day]
  - id: out
    depends_on: [shaped]
    load: { connection: files, path: out/shaped.jsonl }
  - id: by_customer
    depends_on: [orders]
    transform:
      - aggregate: { group_by: [customer], metrics: { n: "count()" } }
  - id: big
    extract: { connection: files, path: data/big.csv }
  - id: big_by_day
    depends_on: [big]
    transform:
      - aggregate: { group_by: [day], metrics: { n: "count()" } }
  - id: broken
    depends_on: [orders]
    transform:
      - derive: { bad: "$number(customer) + 1" }
  - id: refresh
    depends_on: [out]
    sql: { connection: db, query: "select 1" }
  - id: tickets
    extract: { connection: api, path: /cursor, records: items, paginate: { type: cursor, param: cursor, next: meta.next_cursor } }
  - id: leaky
    extract: { connection: api, path: /leak/json400 }
`;

// The database is never reached: only the `sql` step uses it, and a preview refuses that step.
const env = () => ({ PREVIEW_API: api.url, PREVIEW_TOKEN: token, PREVIEW_DB: "postgres://nobody@127.0.0.1:9/none" });
const preview = (args: string[]) => runCli(["preview", "shop.etl.yaml", ...args], { cwd: p.dir, env: env() });

function json<T>(r: CliResult): T {
  return JSON.parse(r.stdout) as T;
}

/** Every file under the project, so a test can prove a preview wrote none. */
function files(dir = p.dir): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

const outputs: CliResult[] = [];

before(async () => {
  api = await startApi(API_RECORDS);
  p.write("data/orders.csv", csv(ROWS));
  p.write("data/big.csv", csv(150_000));
  p.write("shop.etl.yaml", PIPELINE);
});

after(async () => {
  await api?.close();
  p.cleanup();
});

describe("agent-etl preview (dist/cli.js)", () => {
  it("shows the first rows a run produces, stops at the limit, and writes nothing", async () => {
    const before = files();
    const r = await preview(["--step", "out", "--limit", "25", "--format", "json"]);
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr);
    const got = json<Preview>(r);
    assert.equal(got.step, "out");
    assert.equal(got.rows.length, 25);
    assert.equal(got.truncated, true);
    assert.deepEqual(got.notes, []);
    assert.deepEqual(got.columns.map((c) => c.name), ["order_id", "customer", "amount", "doubled", "tag"]);
    assert.deepEqual(got.columns.map((c) => c.type), ["integer", null, "decimal", null, null]);
    assert.deepEqual(files(), before, "the preview wrote no file: no staging, no load");
    // The same pipeline, really run: its first 25 loaded records are the preview's rows.
    const run = await runCli(["run", "shop.etl.yaml", "--step", "orders", "--step", "shaped", "--step", "out"], { cwd: p.dir, env: env() });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const loaded = p.read("out/shaped.jsonl").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(got.rows, loaded.slice(0, 25));
  });

  it("says all rows were shown when the step has fewer than the limit", async () => {
    const r = await preview(["--step", "by_customer", "--limit", "1000", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const got = json<Preview>(r);
    assert.equal(got.rows.length, 97);
    assert.equal(got.truncated, false);
    assert.equal(got.rows.reduce((n, row) => n + Number(row.n), 0), ROWS, "the aggregate saw every input row");
  });

  it("an aggregate over more rows than the cap says so, and is marked truncated", async () => {
    const r = await preview(["--step", "big_by_day", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const got = json<Preview>(r);
    assert.equal(got.truncated, true);
    assert.match(got.notes.join("\n"), /first 100000 rows/);
    assert.equal(got.rows.reduce((n, row) => n + Number(row.n), 0), 100_000, "computed over the capped rows, and said so");
  });

  it("prints an aligned table with `name (type)` headers by default", async () => {
    const r = await preview(["--step", "shaped", "--limit", "3"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(lines[0] ?? "", /^order_id \(integer\)\s+customer \(\?\)\s+amount \(decimal\)/);
    assert.equal(lines.filter((l) => /^\d+\s+c\d+/.test(l)).length, 3);
    assert.match(r.stdout, /first 3 rows of step shaped \(more may exist/);
  });

  it("reads one page of a paginated API: one request, and a note", async () => {
    const before = api.requests.length;
    const r = await preview(["--step", "tickets", "--limit", "20", "--format", "json"]);
    outputs.push(r);
    assert.equal(r.code, 0, r.stderr);
    const got = json<Preview>(r);
    assert.deepEqual(got.rows, API_RECORDS.slice(0, 10));
    assert.equal(got.truncated, true);
    assert.match(got.notes.join("\n"), /first page/);
    assert.equal(api.requests.length - before, 1);
    assert.equal(api.requests.at(-1)?.headers.authorization, `Bearer ${token}`);
  });

  it("usage errors exit 2 with the contract's JSON error: unknown step (with a guess), a sql step, a bad limit", async () => {
    const unknown = await preview(["--step", "shapd", "--format", "json"]);
    assert.equal(unknown.code, 2);
    const u = json<Failure>(unknown).error;
    assert.equal(u.code, "unknown-step");
    assert.match(u.fix ?? "", /did you mean `shaped`/);
    const sql = await preview(["--step", "refresh", "--format", "json"]);
    assert.equal(sql.code, 2);
    const s = json<Failure>(sql).error;
    assert.equal(s.code, "preview-sql-step");
    assert.equal(s.step, "refresh");
    assert.match(s.fix ?? "", /agent-etl run FILE --step refresh/);
    for (const limit of ["0", "1001", "ten"]) {
      const bad = await preview(["--step", "shaped", "--limit", limit, "--format=json"]);
      assert.equal(bad.code, 2, limit);
      assert.equal(json<Failure>(bad).error.code, "usage");
    }
    const text = await preview(["--step", "shapd"]);
    assert.equal(text.code, 2);
    assert.match(text.stderr, /no step `shapd`[\s\S]*did you mean `shaped`/);
  });

  it("a failing expression exits 1 naming the step, the code, the row and a fix", async () => {
    const r = await preview(["--step", "broken", "--format", "json"]);
    assert.equal(r.code, 1);
    const e = json<Failure>(r).error;
    assert.equal(e.code, "expression-failed");
    assert.equal(e.step, "broken");
    assert.match(e.message, /row 1/);
    assert.ok(e.fix);
  });

  it("a source's error that quotes the token is scrubbed; no output holds it", async () => {
    const r = await preview(["--step", "leaky", "--format", "json"]);
    outputs.push(r);
    assert.equal(r.code, 1);
    assert.equal(json<Failure>(r).error.step, "leaky");
    assert.match(r.stdout, /\*\*\*/);
    const text = await preview(["--step", "leaky"]);
    outputs.push(text);
    for (const out of outputs) assert.ok(!out.stdout.includes(token) && !out.stderr.includes(token), `the token leaked: ${out.stdout.slice(0, 300)}${out.stderr.slice(0, 300)}`);
    assert.equal(existsSync(join(p.dir, ".etl", "runs")), true, "(only the test's own run staged)");
  });
});
