// What Export to Airflow puts in a DAG when the editor exports: the workers' command and pipeline path, and the warnings it shows.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cliProblem, expandPipelinePath, exportWarnings, missingTarget, pipelinePathProblem } from "../../../client/src/airflowTarget";

describe("Airflow export target", () => {
  it("expands ${relativeFile} and ${fileBasename} against the workspace folder, with / separators", () => {
    assert.equal(expandPipelinePath("/opt/repo/${relativeFile}", "/home/me/ws/etl/daily.etl.yaml", "/home/me/ws"), "/opt/repo/etl/daily.etl.yaml");
    assert.equal(expandPipelinePath("/srv/${fileBasename}", "/home/me/ws/etl/daily.etl.yaml", "/home/me/ws"), "/srv/daily.etl.yaml");
    assert.equal(expandPipelinePath(" /srv/fixed.etl.yaml ", "/home/me/ws/a.etl.yaml", "/home/me/ws"), "/srv/fixed.etl.yaml");
    // Outside a workspace folder (or outside the folder given) only the file name is known.
    assert.equal(expandPipelinePath("/opt/${relativeFile}", "/tmp/x/a.etl.yaml", undefined), "/opt/a.etl.yaml");
    assert.equal(expandPipelinePath("/opt/${relativeFile}", "/tmp/x/a.etl.yaml", "/home/me/ws"), "/opt/a.etl.yaml");
  });

  it("refuses an empty or relative pipeline path and an empty command, saying what to give", () => {
    for (const bad of ["", "  ", "pipelines/a.etl.yaml", "./a.etl.yaml", "${relativeFile}"]) assert.match(pipelinePathProblem(bad) ?? "", /absolute|Enter/, bad);
    for (const good of ["/opt/a.etl.yaml", "/opt/repo/${relativeFile}", "C:\\etl\\a.etl.yaml"]) assert.equal(pipelinePathProblem(good), undefined, good);
    assert.match(cliProblem(" ") ?? "", /agent-etl/);
    assert.equal(cliProblem("node /opt/agent-etl/dist/cli.js"), undefined);
    assert.equal(missingTarget({ cli: "agent-etl", pipelinePath: "" }), true);
    assert.equal(missingTarget({ cli: "agent-etl", pipelinePath: "/p" }), false);
  });

  it("reads the CLI's warnings, and only those, from its stderr", () => {
    const stderr = '{"level":30,"msg":"x"}\nagent-etl: warning: the pipeline stages step outputs in the local folder .etl/runs/\r\nsomething else\nagent-etl: warning: second\n';
    assert.deepEqual(exportWarnings(stderr), ["the pipeline stages step outputs in the local folder .etl/runs/", "second"]);
    assert.deepEqual(exportWarnings(""), []);
  });
});
