/**
 * The run history end to end (dist/cli.js): the README's "Run history" pipeline run seven times —
 * each run recorded with its trigger, one webhook POST per run, an anomaly flagged when the rows
 * drop by 90%, retention keeping what it says, a failing webhook not failing the run — and the
 * shared history in a real PostgreSQL written by several processes at once, nothing lost.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import { runRecordSchema, type RunRecord } from "../../../server/src/runner/history/recordSchema";
import { startApi, type TestApi } from "../../support/httpServer";
import { postgresProject, project, readEvents, ROOT, runCli, startCli } from "./helpers";

/** The README's pipeline of the "Run history" section. */
function readmePipeline(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const body = /```yaml\n(version: 1\nname: orders_watched\n[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(body, "README.md has the orders_watched pipeline");
  return body;
}

const csv = (n: number) => "id,amount\n" + Array.from({ length: n }, (_, i) => `${i},${i * 2}`).join("\n") + "\n";

function runsJson(stdout: string): RunRecord[] {
  const parsed = JSON.parse(stdout) as { runs: unknown[] };
  return parsed.runs.map((r) => runRecordSchema.strict().parse(r));
}

describe("the local run history, anomalies, retention and webhooks", () => {
  const p = project("history");
  let hook: TestApi;
  const token = randomBytes(12).toString("hex");
  before(async () => {
    hook = await startApi([]);
  });
  after(async () => {
    await hook.close();
    p.cleanup();
  });

  it("records each run, tells the webhook once per run, flags a 90% drop, prunes to keep_runs", async () => {
    // The README's pipeline, told about success too so every run sends one message.
    const file = p.write("orders.etl.yaml", readmePipeline().replace("on: [failure, anomaly]", "on: [failure, anomaly, success]").replace("keep_runs: 10", "keep_runs: 6").replace("    webhook: ${env:ORDERS_WEBHOOK_URL}", "    webhook: ${env:ORDERS_WEBHOOK_URL}\n    headers: {Authorization: 'Bearer ${env:HOOK_TOKEN}'}"));
    const env = { ORDERS_WEBHOOK_URL: `${hook.url}/echo?key=${token}`, HOOK_TOKEN: token, AGENT_ETL_TRIGGER: "editor" };
    p.write("data/orders.csv", csv(1000));
    for (let i = 0; i < 5; i++) {
      const r = await runCli(["run", file], { cwd: p.dir, env });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /anomaly/);
    }
    assert.equal(hook.requests.length, 5, "one message per run");
    p.write("data/orders.csv", csv(50));
    const dropped = await runCli(["run", file, "--events", "events.jsonl"], { cwd: p.dir, env });
    assert.equal(dropped.code, 0, "anomaly: warn does not fail the run");
    assert.match(dropped.stdout, /⚠ anomaly: extract_orders: 50 rows, 95% fewer than usual \(median 1,000 over the last 5 successful runs\)/);
    const anomaly = readEvents(join(p.dir, "events.jsonl")).filter((e) => e.event === "step_anomaly");
    assert.deepEqual(anomaly.map((e) => [e.step, e.metric, e.value, e.median]), [["extract_orders", "rows", 50, 1000], ["load_orders", "rows", 50, 1000]]);
    assert.equal(hook.requests.length, 6);
    const last = JSON.parse(hook.requests[5]?.body ?? "{}") as { text: string; events: string[]; run: RunRecord };
    assert.deepEqual(last.events, ["success", "anomaly"]);
    assert.match(last.text, /^✅ orders_watched: run \S+ succeeded \(50 rows loaded\)\nanomaly: extract_orders: 50 rows/);
    assert.equal(hook.requests[5]?.headers.authorization, `Bearer ${token}`);
    for (const req of hook.requests) assert.ok(!req.body.includes(token), "the webhook's secrets are never in the body");

    // A webhook that fails does not fail the run; it is retried, within its time bound.
    hook.always({ status: 500 });
    const before = hook.requests.length;
    const failing = await runCli(["run", file], { cwd: p.dir, env });
    hook.always(undefined);
    assert.equal(failing.code, 0, failing.stderr);
    assert.equal(hook.requests.length - before, 3, "three tries");
    assert.match(failing.stderr, /notify\[0\] could not be sent \(HTTP 500\); the run is not affected/);

    const listed = await runCli(["runs", file, "--format", "json"], { cwd: p.dir });
    assert.equal(listed.code, 0, listed.stderr);
    const runs = runsJson(listed.stdout);
    assert.equal(runs.length, 6, "retention kept keep_runs: 6 of 7 runs");
    assert.deepEqual(runs.map((r) => r.trigger), Array(6).fill("editor"));
    assert.ok(runs.every((r, i) => i === 0 || (runs[i - 1] as RunRecord).started_at >= r.started_at), "newest first");
    assert.deepEqual(readdirSync(join(p.dir, ".etl", "runs")).sort(), runs.map((r) => r.run_id).sort(), "staged outputs pruned with the history");
    const flagged = runs[1] as RunRecord;
    assert.deepEqual(flagged.anomalies.map((a) => a.step), ["extract_orders", "load_orders"]);
    assert.deepEqual(flagged.steps.map((s) => [s.id, s.status, s.rows_in, s.rows_out, s.attempts]), [["extract_orders", "succeeded", null, 50, 1], ["load_orders", "succeeded", 50, 50, 1]]);

    const shown = await runCli(["runs", "show", flagged.run_id, file, "--format", "json"], { cwd: p.dir });
    assert.deepEqual((JSON.parse(shown.stdout) as { run: RunRecord }).run, flagged);
    const text = await runCli(["runs", file, "--status", "succeeded", "--limit", "2"], { cwd: p.dir });
    assert.equal(text.stdout.trim().split("\n").length, 4, text.stdout);
    assert.match(text.stdout, /^status\s+run id\s+started \(UTC\)\s+duration\s+rows\s+failed step$/m);
  });

  it("says what is wrong with bad flags", async () => {
    const file = join(p.dir, "orders.etl.yaml");
    const cases: [string[], RegExp][] = [
      [["runs", file, "--status", "done"], /runs: --status: unknown status "done"; use running, succeeded, failed, cancelled/],
      [["runs", file, "--limit", "0"], /runs: --limit: give at least 1/],
      [["runs", file, "--keep", "3"], /runs: --keep does not apply to `runs`/],
      [["runs", "prune", file, "--older-than", "3 weeks"], /--older-than: give an age like 30d or 12h/],
      [["runs", "show"], /runs show: give the run id/],
      [["runs", "show", "nope", file], /no run "nope" in the history/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd: p.dir });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
    }
    const bad = await runCli(["run", file], { cwd: p.dir, env: { AGENT_ETL_TRIGGER: "cron", ORDERS_WEBHOOK_URL: "http://127.0.0.1:9/" } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /AGENT_ETL_TRIGGER="cron" is not a trigger; use one of cli, editor, airflow, mcp, backfill/);
  });
});

describe("the shared run history in PostgreSQL", () => {
  const ctx = postgresProject("history-pg", "history_db");

  it("keeps every run and every step when several processes write at once", async () => {
    const file = ctx.p.write("shared.etl.yaml", `version: 1
name: shared
connections:
  files: {type: file}
  warehouse: {type: postgres, url: "\${env:WAREHOUSE_URL}"}
history: {connection: warehouse, schema: etl_history}
steps:
  - id: a
    extract: {connection: files, path: a.csv}
  - id: b
    extract: {connection: files, path: b.csv}
`);
    ctx.p.write("a.csv", csv(10));
    ctx.p.write("b.csv", csv(20));
    const env = { WAREHOUSE_URL: ctx.url };
    // Two Airflow-style tasks of one run and two whole runs, all at once, from fresh tables.
    const started = [
      startCli(["run", file, "--run-id", "shared_1", "--step", "a"], { cwd: ctx.p.dir, env: { ...env, AGENT_ETL_TRIGGER: "airflow" } }),
      startCli(["run", file, "--run-id", "shared_1", "--step", "b"], { cwd: ctx.p.dir, env: { ...env, AGENT_ETL_TRIGGER: "airflow" } }),
      startCli(["run", file, "--run-id", "whole_1"], { cwd: ctx.p.dir, env }),
      startCli(["run", file, "--run-id", "whole_2"], { cwd: ctx.p.dir, env }),
    ];
    for (const s of started) {
      const r = await s.done;
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /run history cannot be opened|recorded in the history/, "no history warning");
    }
    const listed = await runCli(["runs", file, "--format", "json"], { cwd: ctx.p.dir, env });
    assert.equal(listed.code, 0, listed.stderr);
    const runs = runsJson(listed.stdout);
    assert.deepEqual(runs.map((r) => r.run_id).sort(), ["shared_1", "whole_1", "whole_2"]);
    const shared = runs.find((r) => r.run_id === "shared_1");
    assert.equal(shared?.trigger, "airflow");
    assert.equal(shared?.status, "succeeded", "both tasks' steps landed");
    assert.deepEqual(shared?.steps.map((s) => [s.id, s.rows_out]), [["a", 10], ["b", 20]]);
    const migrations = await ctx.server.query<{ version: number }>("SELECT version FROM etl_history.history_migrations ORDER BY version", [], "history_db");
    assert.deepEqual(migrations.map((m) => m.version), [1], "migrated once");
    const rows = await ctx.server.query<{ n: string }>("SELECT count(*) AS n FROM etl_history.runs", [], "history_db");
    assert.equal(Number(rows[0]?.n), 3);
  });
});
