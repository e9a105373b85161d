/** The local run history: 1,000 runs listed newest first, merges of concurrent writers, retention. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LocalHistory } from "../../../server/src/runner/history/localHistory";
import { mergeRecords } from "../../../server/src/runner/history/record";
import { runRecordSchema, type RunRecord, type StepRecord } from "../../../server/src/runner/history/recordSchema";
import { choosePrune, knownRuns, prune, retentionRule, type KnownRun } from "../../../server/src/runner/history/retention";
import { LocalStagingStore } from "../../../server/src/runner/staging/localStaging";
import { pathToFileURL } from "node:url";
import { stepRuns } from "../../../server/src/language/stepRuns";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "etl-history-"));
  dirs.push(d);
  return d;
};

const step = (id: string, status: StepRecord["status"], rows: number | null = null): StepRecord => ({
  id, kind: "extract", status, rows_in: null, rows_out: rows, duration_ms: 5, attempts: 1, checks: { passed: 0, failed: 0, warned: 0 }, anomalies: [], error: null,
});

function record(i: number, over: Partial<RunRecord> = {}): RunRecord {
  const started = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return { run_id: `run_${String(i).padStart(4, "0")}`, pipeline: "p", file: "p.etl.yaml", trigger: "cli", status: i % 3 === 0 ? "failed" : "succeeded", started_at: started, finished_at: started, duration_ms: 0, rows_loaded: i, skipped_checks: false, anomalies: [], steps: [step("ex", "succeeded", i)], ...over };
}

describe("the local run history", () => {
  it("lists 1,000 runs newest first, filters by status, and shows one", async () => {
    const history = new LocalHistory(tempDir(), "h/");
    for (let i = 0; i < 1000; i++) {
      // Some runs written as a run writes them: when it starts, then when it ends.
      if (i % 10 === 0) await history.save(record(i, { status: "running", finished_at: null, duration_ms: null }), new Set());
      await history.save(record(i), new Set(["ex"]));
    }
    const all = await history.list();
    assert.equal(all.length, 1000);
    assert.equal(all[0]?.run_id, "run_0999");
    assert.equal(all[999]?.run_id, "run_0000");
    for (const r of all) runRecordSchema.parse(r);
    const failed = await history.list({ status: "failed", limit: 5 });
    assert.deepEqual(failed.map((r) => r.run_id), ["run_0999", "run_0996", "run_0993", "run_0990", "run_0987"]);
    assert.equal((await history.list({ status: "running" })).length, 0, "each run's last write wins");
    assert.equal((await history.get("run_0500"))?.steps[0]?.rows_out, 500);
    assert.equal(await history.get("nope"), undefined);
  });

  it("keeps every step when processes write the same run at once", async () => {
    const dir = tempDir();
    const ids = Array.from({ length: 8 }, (_, i) => `s${i}`);
    const base = record(1, { status: "running", steps: ids.map((id) => step(id, "pending")) });
    // Eight writers (as Airflow tasks with --step), each knowing only its own step.
    await Promise.all(ids.map((id) => new LocalHistory(dir, "h/").save({ ...base, steps: ids.map((s) => (s === id ? step(s, "succeeded", 10) : step(s, "pending"))) }, new Set([id]))));
    const stored = await new LocalHistory(dir, "h/").get(base.run_id);
    assert.deepEqual(stored?.steps.map((s) => s.status), ids.map(() => "succeeded"));
    assert.equal(stored?.status, "succeeded");
    assert.equal((await new LocalHistory(dir, "h/").list())[0]?.status, "succeeded");
  });

  it("merges a later write over a stored run: failed steps win, anomalies follow their steps", () => {
    const stored = record(1, { status: "failed", steps: [step("a", "failed"), step("b", "pending")] });
    const merged = mergeRecords(stored, record(1, { status: "succeeded", steps: [step("a", "succeeded", 3), step("b", "succeeded", 3)] }), new Set(["b"]));
    assert.equal(merged.status, "failed", "step a is still failed: another process ran it");
    assert.equal(merged.steps[1]?.status, "succeeded");
  });
});

describe("retention", () => {
  const known = (i: number, status: string, staged = true, backfill = false): KnownRun => ({ runId: `r${i}`, startedAt: new Date(Date.UTC(2026, 0, i)).toISOString(), status, inHistory: true, staged, backfill });
  const now = Date.UTC(2026, 1, 2);

  it("prunes past keep_runs and max_age, sparing the last success and resumable runs", () => {
    const runs = [known(30, "failed"), known(29, "failed", false), known(28, "succeeded"), known(27, "succeeded"), known(2, "succeeded"), known(1, "failed")];
    const choice = choosePrune(runs, retentionRule({ keep_runs: 1, max_age: "30d" }), now);
    assert.deepEqual(choice.prune.map((r) => r.runId), ["r29", "r27", "r2"]);
    assert.deepEqual(choice.spared.map((s) => [s.run.runId, s.why.split(" (")[0]]), [["r28", "the last successful run"], ["r1", "it can still be resumed"]]);
    const all = choosePrune(runs, retentionRule(undefined, { keep: 1, includeResumable: true }), now);
    assert.deepEqual(all.prune.map((r) => r.runId), ["r29", "r27", "r2", "r1"]);
    assert.deepEqual(choosePrune(runs, retentionRule(undefined), now).prune.map((r) => r.runId), ["r2"], "defaults: 20 runs, 30 days");
  });

  it("keeps every day of a backfill while one of its days failed or is running, unless asked", () => {
    const ordinary = [known(31, "succeeded"), known(30, "succeeded")];
    const days = (last: string) => [known(29, last, true, true), known(28, "succeeded", true, true), known(27, "succeeded", true, true), known(26, "succeeded", false, true)];
    for (const last of ["failed", "running"]) {
      const choice = choosePrune([...ordinary, ...days(last)], retentionRule({ keep_runs: 1, max_age: "30d" }), now);
      assert.deepEqual(choice.prune.map((r) => r.runId), ["r30"], last);
      assert.deepEqual(choice.spared.map((s) => [s.run.runId, s.why.split(" (")[0]]), [["r29", "a run of a backfill that can still be resumed"], ["r28", "a run of a backfill that can still be resumed"], ["r27", "a run of a backfill that can still be resumed"], ["r26", "a run of a backfill that can still be resumed"]], last);
      const asked = choosePrune([...ordinary, ...days(last)], retentionRule({ keep_runs: 1 }, { includeResumable: true }), now);
      assert.deepEqual(asked.prune.map((r) => r.runId), ["r30", "r29", "r28", "r27", "r26"], `${last}, --include-resumable`);
    }
    // Every day succeeded: the backfill is done, and its days are runs like the others.
    const done = choosePrune([...ordinary, ...days("succeeded")], retentionRule({ keep_runs: 1, max_age: "30d" }), now);
    assert.deepEqual(done.prune.map((r) => r.runId), ["r30", "r29", "r28", "r27", "r26"]);
  });

  it("removes exactly the runs it chose: their history and staged outputs", async () => {
    const dir = tempDir();
    const history = new LocalHistory(join(dir, "history"), "h/");
    const store = new LocalStagingStore(join(dir, "runs"));
    for (let i = 1; i <= 6; i++) {
      const r = record(i, { status: i === 1 ? "failed" : "succeeded" });
      await history.save(r, new Set(["ex"]));
      await store.write(`${r.run_id}/ex.jsonl`, (async function* () { yield "{}\n"; })());
      await store.write(`${r.run_id}/state.json`, (async function* () { yield JSON.stringify({ version: 1, pipeline: "p", run_id: r.run_id, status: r.status, started_at: r.started_at, steps: {} }); })());
    }
    const choice = choosePrune(await knownRuns(history, store, "p"), retentionRule(undefined, { keep: 2 }), Date.UTC(2026, 0, 2));
    assert.deepEqual(choice.prune.map((r) => r.runId), ["run_0004", "run_0003", "run_0002"]);
    await prune(choice.prune, history, store);
    assert.deepEqual((await history.list()).map((r) => r.run_id), ["run_0006", "run_0005", "run_0001"]);
    assert.deepEqual(readdirSync(join(dir, "runs")).sort(), ["run_0001", "run_0005", "run_0006"]);
    assert.equal(existsSync(join(dir, "history", "run_0004.json")), false);
  });
});

describe("a step's last runs in its hover", () => {
  it("reads them from the local history beside the file, newest first, at most three", async () => {
    const dir = tempDir();
    const history = new LocalHistory(join(dir, ".etl", "history", "p"), "h/");
    for (let i = 1; i <= 4; i++) await history.save(record(i, { status: i === 4 ? "failed" : "succeeded", steps: [i === 4 ? step("ex", "failed") : { ...step("ex", "succeeded", i * 1000), duration_ms: 1500 }] }), new Set(["ex"]));
    const lines = await stepRuns(pathToFileURL(join(dir, "p.etl.yaml")).href, "p", "ex");
    assert.deepEqual(lines, ["✖ failed in 5 ms (2026-01-01 00:04)", "✓ succeeded 3,000 rows in 1.5 s (2026-01-01 00:03)", "✓ succeeded 2,000 rows in 1.5 s (2026-01-01 00:02)"]);
    assert.deepEqual(await stepRuns(pathToFileURL(join(dir, "p.etl.yaml")).href, "other", "ex"), []);
  });
});
