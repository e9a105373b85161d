/** Anomaly detection on crafted histories: a real drop is flagged, noise is not. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baselineOf, detectAnomalies, median, policyOf } from "../../../server/src/runner/history/anomaly";
import type { RunRecord } from "../../../server/src/runner/history/recordSchema";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { random } from "../../support/random";

const baseline = (rows: number[], durations: number[]) => ({ rows, durations });
const steady = (n: number, value: number) => Array.from({ length: n }, () => value);

describe("anomaly detection", () => {
  it("flags a 90% drop in rows after 5 steady runs", () => {
    const found = detectAnomalies("ex", { rows: 100, durationMs: 2000 }, baseline(steady(5, 1000), steady(5, 2000)), 3.5);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.metric, "rows");
    assert.equal(found[0]?.median, 1000);
    assert.ok((found[0]?.score ?? 0) < -3.5);
    assert.match(found[0]?.message ?? "", /90% fewer than usual \(median 1,000 over the last 5 successful runs\)/);
  });

  it("flags a step that takes 5× longer, not one that takes 2× longer", () => {
    const past = baseline(steady(6, 500), [2000, 2100, 1900, 2050, 1950, 2000]);
    assert.deepEqual(detectAnomalies("ex", { rows: 500, durationMs: 12_000 }, past, 3.5).map((a) => a.metric), ["duration"]);
    assert.deepEqual(detectAnomalies("ex", { rows: 500, durationMs: 4_000 }, past, 3.5), []);
  });

  it("says nothing with fewer than 5 successful runs", () => {
    assert.deepEqual(detectAnomalies("ex", { rows: 0, durationMs: 60_000 }, baseline(steady(4, 1000), steady(4, 100)), 3.5), []);
  });

  it("raises no false alarm on noisy but normal histories", () => {
    const next = random(21);
    let alarms = 0;
    for (let trial = 0; trial < 500; trial++) {
      const draw = () => Math.round(1000 * (0.7 + 0.6 * next()));
      const time = () => Math.round(2000 * (0.5 + next()));
      const past = baseline(Array.from({ length: 30 }, draw), Array.from({ length: 30 }, time));
      alarms += detectAnomalies("ex", { rows: draw(), durationMs: time() }, past, 3.5).length;
    }
    assert.equal(alarms, 0);
  });

  it("does not flag a 90% drop that the step's own history shows is usual", () => {
    const wild = baseline([10, 5000, 100, 8000, 50, 3000, 20], steady(7, 100));
    assert.deepEqual(detectAnomalies("ex", { rows: 90, durationMs: 100 }, wild, 3.5), []);
  });

  it("takes a tiny duration's wobble for noise (at least a second longer)", () => {
    assert.deepEqual(detectAnomalies("ex", { rows: 5, durationMs: 60 }, baseline(steady(5, 5), steady(5, 10)), 3.5), []);
  });

  it("takes the baseline from successful runs without anomalies, newest first", () => {
    const run = (status: RunRecord["status"], rows: number, anomalous = false): RunRecord => ({
      run_id: `r${rows}`, pipeline: "p", file: "p.etl.yaml", trigger: "cli", status, started_at: "2026-01-01T00:00:00.000Z", finished_at: null, duration_ms: null, rows_loaded: 0, skipped_checks: false, anomalies: [],
      steps: [{ id: "ex", kind: "extract", status: status === "succeeded" ? "succeeded" : "failed", rows_in: null, rows_out: rows, duration_ms: 10, attempts: 1, checks: { passed: 0, failed: 0, warned: 0 }, anomalies: anomalous ? [{ step: "ex", metric: "rows", value: rows, median: 1, mad: 1, score: 9, message: "" }] : [], error: null }],
    });
    const b = baselineOf([run("succeeded", 3), run("failed", 99), run("succeeded", 7, true), run("succeeded", 5)], "ex");
    assert.deepEqual(b.rows, [3, 5]);
    assert.equal(median([3, 1, 2, 10]), 2.5);
  });

  it("reads the mode and sensitivity from the step, then the pipeline", () => {
    const yaml = `version: 1
name: p
anomaly: {mode: fail, sensitivity: 6}
connections:
  files: {type: file}
steps:
  - id: ex
    extract: {connection: files, path: in.csv}
    anomaly: off
  - id: tr
    depends_on: [ex]
    transform: [{limit: 1}]
`;
    const result = validatePipeline(yaml, { envNames: new Set() });
    assert.deepEqual(result.problems.filter((p) => p.severity === "error"), []);
    const pipeline = result.pipeline;
    assert.ok(pipeline);
    assert.deepEqual(policyOf(pipeline, pipeline.steps[0] as never), { mode: "off", sensitivity: 6 });
    assert.deepEqual(policyOf(pipeline, pipeline.steps[1] as never), { mode: "fail", sensitivity: 6 });
  });
});

describe("the history key", () => {
  const pipeline = (type: string) => `version: 1
name: p
connections:
  files: {type: file}
  hist: {type: ${type}${type === "postgres" ? ", url: postgres://h/db" : ""}}
history: {connection: hist}
steps:
  - id: ex
    extract: {connection: files, path: in.csv}
`;
  it("names a postgres connection, which then counts as used", () => {
    assert.deepEqual(validatePipeline(pipeline("postgres"), { envNames: new Set() }).problems.map((p) => p.code), []);
  });
  it("refuses another type, and an unknown name", () => {
    const text = pipeline("file");
    const problems = validatePipeline(text, { envNames: new Set() }).problems;
    assert.deepEqual(problems.map((p) => [p.code, p.severity, text.slice(p.span.start, p.span.end)]), [["connection-type", "error", "hist"]]);
    const unknown = validatePipeline(text.replace("{connection: hist}", "{connection: hsit}"), { envNames: new Set() }).problems;
    assert.ok(unknown.some((p) => p.code === "unknown-connection" && /did you mean `hist`/.test(p.message)));
  });
});
