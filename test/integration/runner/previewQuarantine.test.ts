/** `agent-etl preview` of a quarantining extract reads on past lines that do not parse, as a run does, and says how many it left out. */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { project, runCli } from "./helpers";

const p = project("preview-quarantine");
after(() => p.cleanup());

describe("agent-etl preview of an extract with on_error: quarantine", () => {
  it("leaves out the lines that do not parse and notes how many", async () => {
    p.write("in.csv", 'id,name\n1,a\n2,b,extra\n3,"c"x\n4,d\n');
    p.write(
      "p.etl.yaml",
      `version: 1
name: preview_quarantine
connections:
  files: { type: file }
steps:
  - id: raw
    on_error: quarantine
    max_rejected: 5
    extract: { connection: files, path: in.csv }
`,
    );
    const r = await runCli(["preview", "p.etl.yaml", "--step", "raw", "--format", "json"], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; notes: string[] };
    assert.deepEqual(got.rows, [{ id: "1", name: "a" }, { id: "4", name: "d" }]);
    assert.deepEqual(got.notes, ["extract `raw`: 2 line(s) that do not parse were left out (`on_error: quarantine`)"]);
  });
});
