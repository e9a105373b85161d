import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEventLine, isBadLine, type RunEvent } from "../../../client/src/run/events";
import { applyEvent, applyExit, counts, initialRunState, summary, type RunState } from "../../../client/src/run/runStatus";

function fold(state: RunState, ...raw: object[]): RunState {
  return raw.map((r) => parseEventLine(JSON.stringify(r))).reduce<RunState>((s, e) => (e && !isBadLine(e) ? applyEvent(s, e as RunEvent) : s), state);
}

describe("run status model", () => {
  const start = initialRunState("/w/orders.etl.yaml", ["extract", "clean", "load"], 1000);

  it("moves steps through running, retrying and succeeded with row counts", () => {
    let s = fold(start, { event: "run_started", run_id: "r7", pipeline: "orders", steps: ["extract", "clean", "load"] }, { event: "step_started", step: "extract", attempt: 1 });
    assert.equal(s.phase, "running");
    assert.equal(s.runId, "r7");
    assert.equal(s.steps.extract?.state, "running");
    s = fold(s, { event: "step_progress", step: "extract", rows: 500 }, { event: "step_retry", step: "extract", attempt: 2, error: "ECONNRESET" });
    assert.deepEqual([s.steps.extract?.state, s.steps.extract?.rows, s.steps.extract?.attempt, s.steps.extract?.error], ["retrying", 500, 2, "ECONNRESET"]);
    s = fold(s, { event: "step_progress", step: "extract", rows: 900 });
    assert.equal(s.steps.extract?.state, "retrying", "progress during a retry keeps the retry visible");
    s = fold(s, { event: "step_succeeded", step: "extract", rows: 1000, duration_ms: 30 });
    assert.deepEqual([s.steps.extract?.state, s.steps.extract?.rows, s.steps.extract?.error], ["succeeded", 1000, null]);
    assert.equal(s.steps.clean?.state, "pending");
  });

  it("keeps each step's failed checks: an error check's step fails, a warn check's run succeeds and its summary says so", () => {
    const failed = { event: "check_failed", step: "clean", index: 2, check: "unique: [id]", kind: "unique", severity: "error", rows: 10, failed: 3, message: "step `clean`, check 2 `unique: [id]`: 3 of 10 records repeat", samples: [] };
    let s = fold(start, { event: "step_started", step: "clean", attempt: 1 }, { event: "check_passed", step: "clean", index: 1, check: "not_null: [id]", kind: "not_null", severity: "error", rows: 10 }, failed);
    assert.deepEqual(s.steps.clean?.failedChecks, [{ check: "unique: [id]", severity: "error", failed: 3, message: failed.message }]);
    s = fold(s, { event: "step_failed", step: "clean", error: `check failed: ${failed.message}` }, { event: "run_finished", status: "failed", duration_ms: 5 });
    assert.match(summary(s), /step clean failed: check failed: step `clean`, check 2 `unique: \[id\]`/);
    const warned = fold(start, { event: "step_started", step: "clean", attempt: 1 }, { ...failed, severity: "warn" }, { event: "step_succeeded", step: "clean", rows: 10, duration_ms: 5 }, { event: "run_finished", status: "succeeded", duration_ms: 5, steps: { extract: "succeeded", clean: "succeeded", load: "succeeded" } });
    assert.equal(warned.steps.clean?.state, "succeeded");
    assert.match(summary(warned), /succeeded: .* 1 check warned: step `clean`, check 2/);
  });

  it("ends failed runs with skipped downstream steps and a summary naming the failure", () => {
    const s = fold(start, { event: "run_started", run_id: "r", pipeline: "orders", steps: [] }, { event: "step_succeeded", step: "extract", rows: 3 },
      { event: "step_failed", step: "clean", error: "bad cast in row 2" }, { event: "run_finished", status: "failed", duration_ms: 2500 });
    assert.equal(s.phase, "failed");
    assert.equal(s.steps.load?.state, "skipped");
    assert.deepEqual(counts(s), { total: 3, succeeded: 1, failed: 1, running: 0, skipped: 1, loaded: null });
    assert.equal(summary(s), "Pipeline orders failed — step clean failed: bad cast in row 2. 1/3 steps succeeded, 1 skipped.");
  });

  it("summarises a success with the rows loaded and where, not a sum over steps", () => {
    const steps = ["extract", "clean", "load"].map((step) => ({ event: "step_succeeded", step, rows: 1234 }));
    const loaded = [{ step: "load", target: "file:/w/out/orders.jsonl", rows: 1234 }];
    const s = fold(start, { event: "run_started", pipeline: "orders" }, ...steps, { event: "run_finished", status: "succeeded", duration_ms: 2100, rows: 3702, loaded });
    assert.equal(summary(s), "Pipeline orders succeeded: 3/3 steps in 2.1 s; loaded 1,234 rows into /w/out/orders.jsonl.");
    assert.equal(summary(s, (p) => p.replace("/w/", "")), "Pipeline orders succeeded: 3/3 steps in 2.1 s; loaded 1,234 rows into out/orders.jsonl.");
    assert.equal(counts(s).loaded, 1234);
    const two = fold(start, { event: "run_started", pipeline: "orders" }, ...steps, { event: "run_finished", status: "succeeded", duration_ms: 2100,
      loaded: [...loaded, { step: "db", target: "postgres:warehouse:public.orders", rows: 1 }] });
    assert.match(summary(two), /; loaded 1,235 rows: 1,234 into \/w\/out\/orders\.jsonl, 1 into table public\.orders \(warehouse\)\.$/);
    // A CLI that does not say what it loaded: no row count rather than a wrong one.
    assert.equal(summary(fold(start, { event: "run_started", pipeline: "orders" }, ...steps, { event: "run_finished", status: "succeeded", duration_ms: 2100 })), "Pipeline orders succeeded: 3/3 steps in 2.1 s.");
  });

  it("a failed run says what its loads wrote before the failure", () => {
    const s = fold(start, { event: "run_started", pipeline: "orders" }, { event: "step_succeeded", step: "extract", rows: 2 }, { event: "step_failed", step: "clean", error: "boom" },
      { event: "run_finished", status: "failed", loaded: [{ step: "early", target: "s3://b/k.csv", rows: 1 }] });
    assert.match(summary(s), /failed — step clean failed: boom\. .* Loaded before the failure: 1 row into s3:\/\/b\/k\.csv\.$/);
  });

  it("uses the exit code when the stream stops short", () => {
    const crashed = applyExit(fold(start, { event: "step_started", step: "extract" }), 1, 5000);
    assert.equal(crashed.phase, "failed");
    assert.equal(crashed.steps.extract?.state, "failed");
    assert.equal(crashed.exitCode, 1);
    assert.match(summary(applyExit(start, 2, 5000)), /failed — the run exited with code 2/);
    assert.equal(applyExit(start, undefined, 5000).phase, "cancelled");
    const lied = applyExit(fold(start, { event: "run_finished", status: "succeeded" }), 1);
    assert.equal(lied.phase, "failed", "a non-zero exit after a 'succeeded' event is a failure");
  });

  it("learns steps it was not told about and takes the runner's final word per step", () => {
    const s = fold(initialRunState("/w/p.etl.yaml"), { event: "step_started", step: "surprise" },
      { event: "run_finished", status: "succeeded", steps: { surprise: "succeeded", other: "skipped" } });
    assert.deepEqual(s.order, ["surprise", "other"]);
    assert.deepEqual([s.steps.surprise?.state, s.steps.other?.state], ["succeeded", "skipped"]);
  });
});
