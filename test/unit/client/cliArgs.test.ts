import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeArgs, checkRunRequest, cliInvocation, eventsFileOf, exportAirflowArgs, runArgs, runLabel } from "../../../client/src/run/cliArgs";

describe("CLI argument building", () => {
  it("runs the bundled CLI with VS Code's runtime as Node unless a Node path is set", () => {
    const vsNode = cliInvocation({ cliPath: "", nodePath: "", logLevel: "info" }, "/ext/dist/cli.js", "/opt/code/code", ["validate", "a.etl.yaml"]);
    assert.deepEqual(vsNode, { command: "/opt/code/code", args: ["/ext/dist/cli.js", "validate", "a.etl.yaml"], env: { LOG_LEVEL: "info", ELECTRON_RUN_AS_NODE: "1" } });
    const own = cliInvocation({ cliPath: " /repo/dist/cli.js ", nodePath: "/usr/bin/node", logLevel: "debug" }, "/ext/dist/cli.js", "/opt/code/code", []);
    assert.deepEqual(own, { command: "/usr/bin/node", args: ["/repo/dist/cli.js"], env: { LOG_LEVEL: "debug" } });
  });

  it("builds run arguments as an array, keeping hostile values as single arguments", () => {
    const file = "/w/my pipelines/$(rm -rf ~);.etl.yaml";
    const args = runArgs({ file, steps: ["a", "b"], runId: "r1", resume: true, ds: "2026-01-02", params: { region: "eu west; echo hi", n: 3 }, concurrency: 2, dryRun: true }, "/tmp/e.jsonl");
    assert.deepEqual(args, ["run", file, "--step", "a", "--step", "b", "--run-id", "r1", "--resume", "--ds", "2026-01-02", "--param", "region=eu west; echo hi", "--param", "n=3", "--concurrency", "2", "--dry-run", "--events", "/tmp/e.jsonl"]);
    assert.equal(eventsFileOf(["/x/cli.js", ...args]), "/tmp/e.jsonl");
    assert.equal(eventsFileOf(["run", "f"]), undefined);
    assert.deepEqual(runArgs({ file: "f.etl.yaml" }, undefined), ["run", "f.etl.yaml"]);
  });

  it("checks tasks.json requests and says what is wrong", () => {
    assert.equal(checkRunRequest({ file: "a.etl.yaml", steps: ["ok_step"] }), undefined);
    assert.match(checkRunRequest({ file: " " }) ?? "", /needs `file`/);
    assert.match(checkRunRequest({ file: "a", steps: ["Bad-Id"] }) ?? "", /not a step id/);
    assert.match(checkRunRequest({ file: "a", ds: "01/02/2026" }) ?? "", /YYYY-MM-DD/);
    assert.match(checkRunRequest({ file: "a", params: { "x y": 1 } }) ?? "", /bad name/);
    assert.match(checkRunRequest({ file: "a", concurrency: 0 }) ?? "", /at least 1/);
  });

  it("builds export and analyze arguments and readable labels", () => {
    assert.deepEqual(exportAirflowArgs("/w/a.etl.yaml", "/w/dags"), ["export", "airflow", "/w/a.etl.yaml", "-o", "/w/dags"]);
    assert.deepEqual(exportAirflowArgs("/w/a.etl.yaml", "/w/dags", { cli: "node '/opt/my etl/cli.js'", pipelinePath: "/srv/a.etl.yaml" }), ["export", "airflow", "/w/a.etl.yaml", "-o", "/w/dags", "--cli", "node '/opt/my etl/cli.js'", "--pipeline-path", "/srv/a.etl.yaml"]);
    assert.deepEqual(analyzeArgs("/w/a.etl.yaml"), ["analyze", "/w/a.etl.yaml", "--format", "text"]);
    assert.deepEqual(analyzeArgs("/w/a.etl.yaml", "db"), ["analyze", "/w/a.etl.yaml", "--connection", "db", "--format", "text"]);
    assert.equal(runLabel({ file: "/w/x/orders.etl.yaml", steps: ["load"] }), "run orders.etl.yaml (step load)");
    assert.equal(runLabel({ file: "orders.etl.yaml", resume: true }), "resume orders.etl.yaml");
  });
});
