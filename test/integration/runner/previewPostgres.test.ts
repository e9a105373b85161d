/**
 * `agent-etl preview` against a real PostgreSQL: the limit is pushed into the query (the table's
 * scan stops), reads happen in a READ ONLY transaction (a query that writes fails and changes
 * nothing), an incremental extract reads past its committed mark without moving it, nothing is
 * staged, and the password never appears.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { poll } from "../../support/poll";
import { postgresProject, runCli, type CliResult } from "./helpers";

const DB = "cli_preview";
const cluster = postgresProject("preview-pg", DB);
const p = cluster.p;
/** A pipeline of its own: a run commits marks only when all of its steps succeeded. */
const INCREMENTAL = `version: 1
name: pg_incremental
connections:
  db: { type: postgres, url: "\${env:PREVIEW_PG_URL}" }
steps:
  - id: fresh
    extract: { connection: db, table: events, incremental: { column: id } }
  - id: fresh_copy
    depends_on: [fresh]
    load: { connection: db, table: events_copy }
`;
const env = () => ({ PREVIEW_PG_URL: cluster.url });
const outputs: CliResult[] = [];

const PIPELINE = `version: 1
name: pg_preview
connections:
  db: { type: postgres, url: "\${env:PREVIEW_PG_URL}" }
steps:
  - id: orders
    extract: { connection: db, table: orders }
  - id: shaped
    depends_on: [orders]
    transform:
      - derive: { label: "'#' & $string(id)" }
  - id: copy
    depends_on: [shaped]
    load: { connection: db, table: orders_copy }
  - id: sneaky_function
    extract: { connection: db, query: "SELECT id, sneaky() AS s FROM orders" }
  - id: sneaky_cte
    extract: { connection: db, query: "WITH w AS (INSERT INTO audit VALUES (2) RETURNING v) SELECT * FROM w" }
  - id: bad_query
    extract: { connection: db, query: "SELECT no_such_column FROM orders" }
`;

async function scalar(sql: string): Promise<number> {
  const rows = await cluster.server.query<{ n: number }>(sql, [], DB);
  return Number(rows[0]?.n ?? -1);
}

async function preview(args: string[], file = "p.etl.yaml"): Promise<CliResult> {
  const r = await runCli(["preview", file, ...args, "--format", "json"], { cwd: p.dir, env: env() });
  outputs.push(r);
  return r;
}

/** Rows the server's sequential scans of `orders` read so far (a session's counts arrive when it ends). */
const scanned = () => scalar("SELECT coalesce(seq_tup_read, 0)::bigint AS n FROM pg_stat_user_tables WHERE relname = 'orders'");

describe("agent-etl preview on PostgreSQL (dist/cli.js)", () => {
  it("pushes the limit into the query: the scan stops after a few rows, and the rows are the table's first", async () => {
    await cluster.server.query("CREATE TABLE orders (id int, amount numeric(12,2), big bigint); INSERT INTO orders SELECT g, g / 100.0, 9007199254740993 + g FROM generate_series(1, 100000) g", [], DB);
    await cluster.server.query("CREATE TABLE audit (v int); CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql AS 'INSERT INTO audit VALUES (1); SELECT 1'", [], DB);
    p.write("p.etl.yaml", PIPELINE);
    const before = await scanned();
    const r = await preview(["--step", "copy", "--limit", "10"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const got = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; columns: { name: string; type: string | null }[]; truncated: boolean };
    assert.deepEqual(got.rows.map((row) => row.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Exact values as the runner stages them: numeric as decimal text, a bigint beyond 2^53 as its digits.
    assert.deepEqual(got.rows[0], { id: 1, amount: "0.01", big: "9007199254740994", label: "#1" });
    assert.deepEqual(got.columns.map((c) => [c.name, c.type]), [["id", "integer"], ["amount", "decimal"], ["big", "integer"], ["label", null]]);
    assert.equal(got.truncated, true);
    // Without the LIMIT, the cursor's first FETCH alone would have read 5,000 rows.
    const read = await poll("the preview's scan to show in the statistics", async () => {
      const n = (await scanned()) - before;
      return n > 0 ? n : undefined;
    }, 15_000, 50);
    assert.ok(read <= 100, `the scan read ${read} rows`);
    assert.equal(await scalar("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'orders_copy'"), 0, "the load was not run");
    assert.equal(existsSync(join(p.dir, ".etl")), false, "nothing was staged");
  });

  it("reads in a READ ONLY transaction: a query that writes fails, and nothing changed", async () => {
    for (const step of ["sneaky_function", "sneaky_cte"]) {
      const r = await preview(["--step", step]);
      assert.equal(r.code, 1, r.stdout);
      const e = (JSON.parse(r.stdout) as { error: { step: string; message: string } }).error;
      assert.equal(e.step, step);
      assert.match(e.message, /read-only transaction|data-modifying/i);
    }
    assert.equal(await scalar("SELECT count(*) AS n FROM audit"), 0);
  });

  it("an incremental extract shows the rows past its committed mark, and the mark does not move", async () => {
    await cluster.server.query("CREATE TABLE events (id int PRIMARY KEY, v text); INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 5) g", [], DB);
    p.write("inc.etl.yaml", INCREMENTAL);
    const run = await runCli(["run", "inc.etl.yaml"], { cwd: p.dir, env: env() });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const marksDir = join(p.dir, ".etl", "runs");
    const snapshot = () => readdirSync(marksDir, { recursive: true, encoding: "utf8" }).sort().map((f) => [f, existsSync(join(marksDir, f)) && !f.endsWith("/") ? safeRead(join(marksDir, f)) : ""]);
    const before = snapshot();
    await cluster.server.query("INSERT INTO events SELECT g, 'e' || g FROM generate_series(6, 8) g", [], DB);
    assert.ok(before.some(([f]) => f?.startsWith("_incremental/")), `the run committed its mark: ${before.map(([f]) => f).join(", ")}`);
    const r = await preview(["--step", "fresh"], "inc.etl.yaml");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const got = JSON.parse(r.stdout) as { rows: { id: number }[]; truncated: boolean };
    assert.deepEqual(got.rows.map((row) => row.id), [6, 7, 8]);
    assert.equal(got.truncated, false);
    assert.deepEqual(snapshot(), before, "no staged file, state or mark changed");
  });

  it("a query error exits 1 with the step and no password in any output", async () => {
    const r = await preview(["--step", "bad_query"]);
    assert.equal(r.code, 1);
    const e = (JSON.parse(r.stdout) as { error: { step: string; code: string; message: string } }).error;
    assert.equal(e.step, "bad_query");
    assert.match(e.message, /no_such_column/);
    for (const out of outputs) assert.ok(!out.stdout.includes(cluster.server.password) && !out.stderr.includes(cluster.server.password), "the password leaked");
  });
});

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
