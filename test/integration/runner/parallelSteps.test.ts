/**
 * One run continued by parallel `--step` processes, as Airflow runs sibling tasks: each process's
 * state update survives the others', so the run ends succeeded; and a step removed from the file
 * no longer counts toward the run's status.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { project, runCli } from "./helpers";

const PIPELINE = `version: 1
name: fan
connections:
  files: { type: file }
steps:
  - id: ex
    extract: { connection: files, path: data/a.csv }
  - id: ld1
    depends_on: [ex]
    load: { connection: files, path: out/one.jsonl }
  - id: ld2
    depends_on: [ex]
    load: { connection: files, path: out/two.jsonl }
`;

interface State {
  status: string;
  steps: Record<string, { status: string }>;
}

describe("parallel --step processes of one run", () => {
  const p = project("parallel-steps");
  const file = p.write("fan.etl.yaml", PIPELINE);
  p.write("data/a.csv", "id,amount\n1,10\n2,3\n");
  const state = (run: string) => JSON.parse(p.read(`.etl/runs/${run}/state.json`)) as State;
  after(() => p.cleanup());

  it("keep each other's step updates: every round ends with the run and both loads succeeded", async () => {
    for (let round = 1; round <= 10; round++) {
      const run = `par${round}`;
      const ex = await runCli(["run", file, "--step", "ex", "--run-id", run], { cwd: p.dir });
      assert.equal(ex.code, 0, ex.stdout + ex.stderr);
      const loads = await Promise.all(["ld1", "ld2"].map((id) => runCli(["run", file, "--step", id, "--run-id", run], { cwd: p.dir })));
      for (const r of loads) assert.equal(r.code, 0, r.stdout + r.stderr);
      const s = state(run);
      assert.deepEqual(
        { status: s.status, ex: s.steps.ex?.status, ld1: s.steps.ld1?.status, ld2: s.steps.ld2?.status },
        { status: "succeeded", ex: "succeeded", ld1: "succeeded", ld2: "succeeded" },
        `round ${round}`,
      );
    }
    assert.equal(p.read("out/one.jsonl"), '{"id":"1","amount":"10"}\n{"id":"2","amount":"3"}\n');
    assert.equal(p.read("out/two.jsonl"), p.read("out/one.jsonl"));
  });

  it("a step removed from the file no longer keeps the run failed", async () => {
    const withCheck = `${PIPELINE}  - id: check
    depends_on: [ex]
    transform:
      - cast: { amount: number }
`;
    const checked = p.write("checked.etl.yaml", withCheck.replace("name: fan", "name: checked"));
    p.write("data/a.csv", "id,amount\n1,10\n2,x\n");
    const failed = await runCli(["run", checked, "--run-id", "rm1"], { cwd: p.dir });
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.equal(state("rm1").status, "failed");
    assert.equal(state("rm1").steps.check?.status, "failed");

    // The failing step is taken out of the pipeline; resuming runs what is left.
    p.write("checked.etl.yaml", PIPELINE.replace("name: fan", "name: checked"));
    const resumed = await runCli(["run", checked, "--resume", "--run-id", "rm1"], { cwd: p.dir });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(state("rm1").status, "succeeded");
  });
});
