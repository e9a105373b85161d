/**
 * The resume hazard of incremental extracts, through the CLI and a real PostgreSQL: run A extracts
 * rows above the committed mark and fails to load them, a fresh run B loads the same rows and
 * commits the mark; A's staged extract is then stale, and `staleIncrementalSteps` says so.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { readHighWater, staleIncrementalSteps, staleResumeMessage } from "../../../server/src/runner/incremental";
import { selectSteps } from "../../../server/src/runner/setup";
import { loadState } from "../../../server/src/runner/state";
import { LocalStagingStore } from "../../../server/src/runner/staging/localStaging";
import { postgresProject, runCli } from "./helpers";

const DB = "cli_incremental";
const cluster = postgresProject("cli-incremental", DB);
const p = cluster.p;

const PIPELINE = `version: 1
name: orders_sync
connections:
  db: { type: postgres, url: "\${env:INC_PG_URL}" }
steps:
  - id: src
    extract: { connection: db, table: orders, incremental: { column: id } }
  - id: dest
    depends_on: [src]
    load: { connection: db, table: orders_copy, create: false }
`;

const run = (file: string, ...args: string[]) => runCli(["run", file, ...args], { cwd: p.dir, env: { INC_PG_URL: cluster.url } });

async function copiedIds(): Promise<number[]> {
  return (await cluster.server.query<{ id: number }>("SELECT id::int AS id FROM orders_copy ORDER BY id", [], DB)).map((r) => r.id);
}

describe("an incremental extract staged by a failed run (dist/cli.js, real PostgreSQL)", () => {
  it("is reported stale once a fresh run has committed a newer mark, naming that run", async () => {
    await cluster.server.query("CREATE TABLE orders (id int PRIMARY KEY, v text); INSERT INTO orders SELECT g, 'v' || g FROM generate_series(1, 5) g", [], DB);
    // Run A's load fails on a check the test lifts before run B.
    await cluster.server.query("CREATE TABLE orders_copy (id int, v text, CONSTRAINT not_yet CHECK (id < 6))", [], DB);
    const file = p.write("inc/orders.etl.yaml", PIPELINE);
    const store = new LocalStagingStore(join(dirname(file), ".etl", "runs"));

    const first = await run(file, "--run-id", "run_0");
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(await readHighWater(store, "orders_sync", "src"), 5);

    await cluster.server.query("INSERT INTO orders VALUES (6, 'v6'), (7, 'v7')", [], DB);
    const a = await run(file, "--run-id", "run_a");
    assert.equal(a.code, 1, a.stdout + a.stderr);
    const stateA = await loadState(store, "run_a");
    assert.ok(stateA);
    assert.deepEqual(
      { status: stateA.steps.src?.status, rows: stateA.steps.src?.rows, from: stateA.steps.src?.high_water_from, to: stateA.steps.src?.high_water, load: stateA.steps.dest?.status },
      { status: "succeeded", rows: 2, from: 5, to: 7, load: "failed" },
      "A read 6 and 7 from mark 5 and recorded where it started",
    );
    const { pipeline } = validatePipeline(readFileSync(file, "utf8"));
    assert.ok(pipeline);
    const rerun = selectSteps(pipeline, { steps: [], resume: true }, stateA);
    assert.deepEqual(rerun, ["dest"]);
    assert.deepEqual(await staleIncrementalSteps(store, stateA, { steps: pipeline.steps, rerun }), [], "nothing was committed since A extracted: A may resume");

    await cluster.server.query("ALTER TABLE orders_copy DROP CONSTRAINT not_yet", [], DB);
    const b = await run(file, "--run-id", "run_b");
    assert.equal(b.code, 0, b.stdout + b.stderr);
    assert.deepEqual(await copiedIds(), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(await readHighWater(store, "orders_sync", "src"), 7);

    const stale = await staleIncrementalSteps(store, stateA, { steps: pipeline.steps, rerun });
    assert.deepEqual(stale, [{ step: "src", readFrom: 5, committed: 7, committedBy: "run_b" }]);
    assert.match(staleResumeMessage(stateA, stale), /^cannot resume run run_a: step src read its rows from mark 5, and run run_b has since committed mark 7; .*Start a fresh run instead: agent-etl run .*orders\.etl\.yaml/);

    // Through the CLI: the resume (or a --step re-run of the load) is refused as bad usage, and nothing is loaded twice.
    for (const args of [["--resume", "--run-id", "run_a"], ["--step", "dest", "--run-id", "run_a"]]) {
      const resumed = await run(file, ...args);
      assert.equal(resumed.code, 2, resumed.stdout + resumed.stderr);
      assert.match(resumed.stderr, /cannot resume run run_a: step src read its rows from mark 5, and run run_b has since committed mark 7/);
    }
    assert.deepEqual(await copiedIds(), [1, 2, 3, 4, 5, 6, 7]);

    // A fresh run is what the message asks for: it reads from 7 and loads nothing twice.
    await cluster.server.query("INSERT INTO orders VALUES (8, 'v8')", [], DB);
    const c = await run(file);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.deepEqual(await copiedIds(), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(await readHighWater(store, "orders_sync", "src"), 8);
  });
});

/** A pipeline `name` copying table `t` into `t_copy`, with `more` steps appended. */
function copyPipeline(name: string, t: string, load = "create: false", more = ""): string {
  return `version: 1
name: ${name}
connections:
  db: { type: postgres, url: "\${env:INC_PG_URL}" }
steps:
  - id: src
    extract: { connection: db, table: ${t}, incremental: { column: id } }
  - id: dest
    depends_on: [src]
    load: { connection: db, table: ${t}_copy, ${load} }
${more}`;
}

const idsOf = async (table: string) => (await cluster.server.query<{ id: number }>(`SELECT id::int AS id FROM ${table} ORDER BY id`, [], DB)).map((r) => r.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** The database's URL on a port nothing listens on: a worker that cannot reach PostgreSQL. */
const unreachable = () => Object.assign(new URL(cluster.url), { port: "1" }).toString();

describe("retrying a step of an incremental run (dist/cli.js, real PostgreSQL)", () => {
  it("after the run committed its own mark: a failed-then-retried load of that run is not refused", async () => {
    await cluster.server.query("CREATE TABLE own (id int PRIMARY KEY); INSERT INTO own SELECT generate_series(1, 5); CREATE TABLE own_copy (id int)", [], DB);
    const file = p.write("own/own.etl.yaml", copyPipeline("own_sync", "own"));
    const store = new LocalStagingStore(join(dirname(file), ".etl", "runs"));
    const x = await run(file, "--run-id", "run_own_x");
    assert.equal(x.code, 0, x.stdout + x.stderr);
    assert.equal(await readHighWater(store, "own_sync", "src"), 5);

    // Airflow clears the load task of the succeeded run; its first try cannot reach the database.
    const blip = await runCli(["run", file, "--step", "dest", "--run-id", "run_own_x"], { cwd: p.dir, env: { INC_PG_URL: unreachable() } });
    assert.equal(blip.code, 1, blip.stdout + blip.stderr);
    assert.equal((await loadState(store, "run_own_x"))?.steps.dest?.status, "failed");
    const retry = await run(file, "--step", "dest", "--run-id", "run_own_x");
    assert.equal(retry.code, 0, retry.stdout + retry.stderr);
    assert.deepEqual(await idsOf("own_copy"), range(1, 5), "the retry skipped the rows run_own_x already loaded");

    // Another run's commit past what run_own_x read still makes run_own_x's staged rows stale.
    await cluster.server.query("INSERT INTO own VALUES (6), (7)", [], DB);
    const y = await run(file, "--run-id", "run_own_y");
    assert.equal(y.code, 0, y.stdout + y.stderr);
    const blip2 = await runCli(["run", file, "--step", "dest", "--run-id", "run_own_x"], { cwd: p.dir, env: { INC_PG_URL: unreachable() } });
    assert.equal(blip2.code, 1, blip2.stdout + blip2.stderr);
    const refused = await run(file, "--step", "dest", "--run-id", "run_own_x");
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /cannot resume run run_own_x: step src read its rows from the start \(no mark was committed then\), and run run_own_y has since committed mark 7/);
    assert.deepEqual(await idsOf("own_copy"), range(1, 7));
  });

  it("a sql step after the load reads nothing staged: retrying it alone is not refused, retrying the load is", async () => {
    await cluster.server.query("CREATE TABLE audited (id int PRIMARY KEY); INSERT INTO audited SELECT generate_series(1, 3); CREATE TABLE audited_copy (id int PRIMARY KEY)", [], DB);
    const more = `  - id: audit
    depends_on: [dest]
    sql: { connection: db, query: "INSERT INTO audit_log SELECT count(*) FROM audited_copy" }
`;
    const file = p.write("audited/audited.etl.yaml", copyPipeline("audited_sync", "audited", "mode: merge, key: id, create: false", more));
    const store = new LocalStagingStore(join(dirname(file), ".etl", "runs"));
    const a = await run(file, "--run-id", "run_audited_a");
    assert.equal(a.code, 1, a.stdout + a.stderr);
    const stateA = await loadState(store, "run_audited_a");
    assert.deepEqual([stateA?.steps.src?.status, stateA?.steps.dest?.status, stateA?.steps.audit?.status], ["succeeded", "succeeded", "failed"], "audit_log does not exist yet");

    await cluster.server.query("CREATE TABLE audit_log (n int)", [], DB);
    const b = await run(file, "--run-id", "run_audited_b");
    assert.equal(b.code, 0, b.stdout + b.stderr);
    assert.equal(await readHighWater(store, "audited_sync", "src"), 3);

    const load = await run(file, "--step", "dest", "--run-id", "run_audited_a");
    assert.equal(load.code, 2, load.stdout + load.stderr);
    assert.match(load.stderr, /cannot resume run run_audited_a: step src read its rows from the start \(no mark was committed then\), and run run_audited_b has since committed mark 3/);
    const audit = await run(file, "--step", "audit", "--run-id", "run_audited_a");
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.deepEqual(await cluster.server.query("SELECT n::int AS n FROM audit_log", [], DB), [{ n: 3 }, { n: 3 }], "run_audited_b's audit and run_audited_a's retried one");
    assert.deepEqual(await idsOf("audited_copy"), range(1, 3));
  });

  it("re-running a succeeded incremental extract in a run whose load succeeded is refused; a fresh run loads the new rows", async () => {
    await cluster.server.query("CREATE TABLE again (id int PRIMARY KEY); INSERT INTO again SELECT generate_series(1, 5); CREATE TABLE again_copy (id int)", [], DB);
    const file = p.write("again/again.etl.yaml", copyPipeline("again_sync", "again"));
    const store = new LocalStagingStore(join(dirname(file), ".etl", "runs"));
    const x = await run(file, "--run-id", "run_again_x");
    assert.equal(x.code, 0, x.stdout + x.stderr);

    await cluster.server.query("INSERT INTO again VALUES (6), (7)", [], DB);
    const rerun = await run(file, "--step", "src", "--run-id", "run_again_x");
    assert.equal(rerun.code, 2, rerun.stdout + rerun.stderr);
    assert.match(rerun.stderr, /cannot re-run step src \(its records were loaded by step dest, which already succeeded in this run\) in run run_again_x: .*Start a fresh run instead, which reads from the committed mark: agent-etl run .*again\.etl\.yaml \(without --run-id\)/);
    assert.equal(await readHighWater(store, "again_sync", "src"), 5, "the mark did not move past rows never loaded");
    assert.equal((await loadState(store, "run_again_x"))?.steps.src?.high_water, 5);
    assert.deepEqual(await idsOf("again_copy"), range(1, 5));

    const fresh = await run(file);
    assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
    assert.deepEqual(await idsOf("again_copy"), range(1, 7), "exactly 6 and 7 were added: no gap, no duplicate");
    assert.equal(await readHighWater(store, "again_sync", "src"), 7);

    // The first extract of a run, and its re-run while no load of its records has succeeded, are allowed.
    await cluster.server.query("INSERT INTO again VALUES (8)", [], DB);
    for (let i = 0; i < 2; i++) {
      const extract = await run(file, "--step", "src", "--run-id", "run_again_p");
      assert.equal(extract.code, 0, extract.stdout + extract.stderr);
    }
    assert.equal((await loadState(store, "run_again_p"))?.steps.src?.high_water, 8);
    assert.equal(await readHighWater(store, "again_sync", "src"), 7, "run_again_p's load has not run: nothing committed");
  });
});
