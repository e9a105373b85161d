// The lines that end `agent-etl run`: where the loads wrote and how many rows, never a sum over steps.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { finalLines, targetText } from "../../../server/src/runner/runOutcome";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import type { RunReport } from "../../../server/src/runner/runPipeline";

const PIPELINE = `version: 1
name: fan
connections:
  files: {type: file}
  db: {type: postgres, url: "postgres://localhost/x"}
steps:
  - id: ex
    extract: {connection: files, path: in.csv}
  - id: to_file
    depends_on: [ex]
    load: {connection: files, path: out/a.csv}
  - id: to_table
    depends_on: [ex]
    load: {connection: db, table: public.orders}
`;

function report(over: Partial<RunReport>): RunReport {
  const steps = { ex: "succeeded", to_file: "succeeded", to_table: "succeeded" } as const;
  return {
    runId: "r1", status: "succeeded", durationMs: 1200, staging: ".etl/runs/", stateKey: "r1/state.json",
    steps: Object.entries(steps).map(([id, status]) => ({ id, state: { status, rows: 1000 } })),
    run: { status: "succeeded", steps, versioned: [] }, loaded: [], checksSkipped: [], checkWarnings: [], anomalies: [], schemaChanges: [], rejected: [], ...over,
  };
}

describe("the end of a run", () => {
  const dag = validatePipeline(PIPELINE).dag;
  const cwd = process.cwd();

  it("names each target and the rows loaded into it, and their total", () => {
    const loaded = [{ step: "to_file", target: `file:${join(cwd, "out", "a.csv")}`, rows: 1234 }, { step: "to_table", target: "postgres:db:public.orders", rows: 1000 }];
    const text = finalLines(report({ loaded }), "fan.etl.yaml", dag);
    assert.match(text, /^✓ run r1 succeeded: 3 steps in 1\.2 s\n {2}loaded 2,234 rows: 1,234 into out\/a\.csv, 1,000 into table public\.orders \(db\)\n/);
    assert.ok(!text.includes("3,000") && !text.includes("4,234"), "no sum over steps");
  });

  it("after a failure, says what was loaded before it; with no load, says nothing of rows", () => {
    const failed = report({
      status: "failed", loaded: [{ step: "to_file", target: `file:${join(cwd, "out", "a.csv")}`, rows: 1 }],
      steps: [{ id: "ex", state: { status: "succeeded", rows: 1 } }, { id: "to_file", state: { status: "succeeded", rows: 1 } }, { id: "to_table", state: { status: "failed", error: "no server" } }],
      run: { status: "failed", steps: { ex: "succeeded", to_file: "succeeded", to_table: "failed" }, versioned: [] },
    });
    assert.match(finalLines(failed, "fan.etl.yaml", dag), /^✖ run r1 failed at step to_table: no server\n {2}loaded before the failure: 1 row into out\/a\.csv\n/);
    assert.ok(!/loaded|rows/.test(finalLines(report({}), "fan.etl.yaml", dag)));
  });

  it("shows a file outside the current folder by its absolute path, an S3 object by its URL", () => {
    assert.equal(targetText("file:/elsewhere/out.csv", "/work/here"), "/elsewhere/out.csv");
    assert.equal(targetText("file:/work/here/out/x.csv", "/work/here"), "out/x.csv");
    assert.equal(targetText("s3://bucket/key/x.csv", "/work/here"), "s3://bucket/key/x.csv");
    assert.equal(targetText("postgres:warehouse:analytics.daily", "/w"), "table analytics.daily (warehouse)");
  });
});
