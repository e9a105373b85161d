/**
 * The CLI against a real PostgreSQL where stopping or skipping work must be visible in the
 * database: a `sql` step's timeout cancels the statement on the server, and a load the run already
 * committed is skipped with a warning that says how to load again.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import pg from "pg";
import { poll } from "../../support/poll";
import { postgresProject, readEvents, runCli, startCli } from "./helpers";

const DB = "cli_pg";
/** The advisory lock the test holds so the step's statement blocks until the test lets it go. */
const LOCK = 4242;

const cluster = postgresProject("cli-pg", DB);
const p = cluster.p;

const env = () => ({ CLI_PG_URL: cluster.url });

async function count(table: string): Promise<number> {
  const rows = await cluster.server.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`, [], DB);
  return rows[0]?.n ?? -1;
}

/** Backends the CLI opened (application_name agent-etl) that still exist. */
async function cliBackends(): Promise<number> {
  const rows = await cluster.server.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'agent-etl' AND datname = $1", [DB], DB);
  return rows[0]?.n ?? -1;
}

/**
 * Runs `body` while a session of the test holds advisory lock LOCK. A step statement that takes the
 * lock first cannot finish on its own until the lock is released, so whether it went away before
 * that is a fact about cancellation, not about timing.
 */
async function holdingLock<T>(body: () => Promise<T>): Promise<T> {
  const holder = new pg.Client({ connectionString: cluster.url });
  await holder.connect();
  try {
    await holder.query("SELECT pg_advisory_lock($1)", [LOCK]);
    return await body();
  } finally {
    await holder.end();
  }
}

const sqlPipeline = (table: string, policy: string) => `version: 1
name: sql_timeout
connections:
  db: { type: postgres, url: "\${env:CLI_PG_URL}" }
steps:
  - id: slow
${policy}
    sql: { connection: db, query: "select pg_advisory_lock(${LOCK}); insert into ${table} values (42)" }
`;

describe("a sql step's timeout (dist/cli.js, real PostgreSQL)", () => {
  it("cancels the statement on the server: it never commits after the step is reported failed", async () => {
    await cluster.server.query("CREATE TABLE audit (v int)", [], DB);
    const file = p.write("timeout/t.etl.yaml", sqlPipeline("audit", "    timeout: 2s\n    retries: 0"));
    await holdingLock(async () => {
      const run = startCli(["run", file, "--run-id", "t1"], { cwd: p.dir, env: env() });
      // The statement really ran: it waits for the test's lock.
      await poll("the step's statement waiting for the test's lock", async () => ((await cluster.server.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", [], DB)).length > 0 ? true : undefined), 15_000, 20);
      const r = await run.done;
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /took longer than its timeout \(2000 ms\)/);
      // Without a cancel the backend would wait for the lock as long as the test holds it.
      await poll("the cancelled step's backend to go away while the test still holds the lock", async () => ((await cliBackends()) === 0 ? true : undefined), 15_000);
    });
    assert.equal(await count("audit"), 0, "the timed-out statement committed its insert");
  });

  it("with retries, every timed-out attempt is cancelled: none of them commits", async () => {
    await cluster.server.query("CREATE TABLE audit_retried (v int)", [], DB);
    const file = p.write("retries/t.etl.yaml", sqlPipeline("audit_retried", "    timeout: 1s\n    retries: 2\n    retry_delay: 100ms\n    retry_backoff: fixed"));
    const events = join(p.dir, "retries-events.jsonl");
    await holdingLock(async () => {
      const r = await runCli(["run", file, "--run-id", "t2", "--events", events], { cwd: p.dir, env: env() });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(readEvents(events).filter((e) => e.event === "step_retry").length, 2);
      await poll("every attempt's backend to go away while the test still holds the lock", async () => ((await cliBackends()) === 0 ? true : undefined), 15_000);
    });
    assert.equal(await count("audit_retried"), 0, "a timed-out attempt committed its insert");
  });
});

const LOAD_PIPELINE = `version: 1
name: reload
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:CLI_PG_URL}" }
steps:
  - id: ex
    extract: { connection: files, path: data/people.csv }
  - id: tr
    depends_on: [ex]
    transform:
      - cast: { id: integer }
  - id: ld
    depends_on: [tr]
    load: { connection: db, table: people, mode: append }
`;

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

describe("re-running a PostgreSQL load in the same run (dist/cli.js, real PostgreSQL)", () => {
  it("skips it with a warning that names the table, the earlier load and how to load again", async () => {
    const file = p.write("reload/p.etl.yaml", LOAD_PIPELINE);
    p.write("reload/data/people.csv", "id,name\n1,ann\n2,bob\n3,cy\n");
    const first = await runCli(["run", file, "--run-id", "same"], { cwd: p.dir, env: env() });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(await count("people"), 3);
    assert.match(first.stdout, /\n {2}loaded 3 rows into table people \(db\)\n/);

    p.write("reload/data/people.csv", "id,name\n1,ann\n2,bob\n3,cy\n4,dee\n");
    const again = await runCli(["run", file, "--step", "ex", "--step", "tr", "--step", "ld", "--run-id", "same"], { cwd: p.dir, env: env() });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(await count("people"), 3, "the same run's load must not append again");
    const lines = again.stderr.split("\n").filter((l) => l.startsWith("{"));
    const warning = lines.find((l) => (JSON.parse(l) as LogLine).msg.includes("already loaded"));
    assert.ok(warning, `no skip warning in:\n${again.stderr}`);
    const log = JSON.parse(warning) as LogLine;
    assert.equal(log.level, 40, warning);
    assert.match(log.msg, /^step ld of run same already loaded 3 rows into people \(committed \d{4}-\d\d-\d\dT[^)]+\); skipped so those rows are not loaded twice/);
    assert.match(log.msg, /a new --run-id/);
    assert.match(log.msg, /without --run-id for a fresh run/);
    assert.equal(log.rows, 3);
    assert.equal(warning.split('"stepId":').length - 1, 1, `the step is logged once: ${warning}`);

    // The step's table changed since: the warning names the table the rows really went to.
    const renamed = p.write("reload/p2.etl.yaml", LOAD_PIPELINE.replace("table: people,", "table: people_v2, create: true,"));
    const moved = await runCli(["run", renamed, "--step", "ld", "--run-id", "same"], { cwd: p.dir, env: env() });
    assert.match(moved.stderr, /already loaded 3 rows into people \(committed [^)]+\), before its table became people_v2; skipped/);

    // The advice works: a fresh run loads the file as it is now.
    const fresh = await runCli(["run", file], { cwd: p.dir, env: env() });
    assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
    assert.equal(await count("people"), 7);
  });
});
