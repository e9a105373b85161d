import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failedPlanConfirmation, planArgs, runConfirmation } from "../../../client/src/agent/runConfirmation";

describe("the confirmation before the run tool", () => {
  const plan = {
    pipeline: "orders",
    runId: "r1",
    staging: "file:///w/.etl/runs/",
    steps: [
      { id: "extract", level: 0, kind: "extract", writes: ["staging extract.parquet"] },
      { id: "load_pg", level: 1, kind: "load", writes: ['postgres warehouse "public"."orders"'] },
      { id: "load_csv", level: 1, kind: "load", writes: ["/w/out/orders.csv"] },
      { id: "grant", level: 2, kind: "sql", writes: ["warehouse (SQL)"] },
    ],
  };

  it("names the pipeline, every step and each target with the step that writes it, not staging", () => {
    const c = runConfirmation("orders.etl.yaml", plan);
    assert.equal(c.title, "Run the pipeline orders?");
    assert.match(c.message, /orders\.etl\.yaml/);
    assert.match(c.message, /Steps \(4\): extract, load_pg, load_csv, grant\./);
    assert.match(c.message, /"public"\."orders" \(step load_pg\)/);
    assert.match(c.message, /\/w\/out\/orders\.csv \(step load_csv\)/);
    assert.match(c.message, /warehouse \(SQL\) \(step grant\)/);
    assert.doesNotMatch(c.message, /extract\.parquet/);
  });

  it("says so when nothing outside staging is written, or when the plan failed", () => {
    assert.match(runConfirmation("f", { ...plan, steps: [plan.steps[0] as (typeof plan.steps)[0]] }).message, /no target outside/);
    assert.match(failedPlanConfirmation("f.etl.yaml", "[invalid] 2 errors").message, /plan failed.*\n\[invalid\] 2 errors/s);
  });

  it("plans the run's own selection, without its confirm and timeout", () => {
    assert.deepEqual(planArgs({ path: "p", steps: ["a"], confirm: true, timeoutSeconds: 5, ds: "2024-01-01" }), { path: "p", steps: ["a"], ds: "2024-01-01" });
  });
});
