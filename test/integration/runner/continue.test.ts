import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { project, runCli } from "./helpers";

const PIPELINE = `version: 1
name: cont
connections:
  files: { type: file }
steps:
  - id: ex
    extract: { connection: files, path: data/a.csv }
  - id: tr
    depends_on: [ex]
    transform:
      - cast: { amount: number }
  - id: ld
    depends_on: [tr]
    load: { connection: files, path: out/a.jsonl }
`;

interface State {
  status: string;
  finished_at?: string;
  steps: Record<string, { status: string }>;
}

describe("a run continued step by step (--step, --resume)", () => {
  const p = project("continue");
  const file = p.write("cont.etl.yaml", PIPELINE);
  const state = (run: string) => JSON.parse(p.read(`.etl/runs/${run}/state.json`)) as State;
  after(() => p.cleanup());

  it("the run's state and the closing line reflect every step, not only the selected ones", async () => {
    p.write("data/a.csv", "id,amount\n1,10\n2,x\n");
    const first = await runCli(["run", file, "--run-id", "s1"], { cwd: p.dir });
    assert.equal(first.code, 1, first.stdout + first.stderr);

    // Re-running the extract alone succeeds, but the run still has a failed step.
    const ex = await runCli(["run", file, "--step", "ex", "--run-id", "s1"], { cwd: p.dir });
    assert.equal(ex.code, 0, ex.stdout + ex.stderr);
    assert.match(ex.stdout, /\n✓ the selected step succeeded \(1 step in [^)]+\); run s1 still has failed steps: tr\n {2}after fixing the cause, continue with: agent-etl run \S+cont\.etl\.yaml --resume --run-id s1\n/);
    assert.doesNotMatch(ex.stdout, /run s1 succeeded/);
    assert.equal(state("s1").status, "failed");

    // With the cause fixed, ex and tr succeed; ld was never run, so the run is not finished.
    p.write("data/a.csv", "id,amount\n1,10\n2,3\n");
    const two = await runCli(["run", file, "--step", "ex", "--step", "tr", "--run-id", "s1"], { cwd: p.dir });
    assert.equal(two.code, 0, two.stdout + two.stderr);
    assert.match(two.stdout, /\n✓ the selected steps succeeded \(2 steps in [^)]+\); run s1 still has steps to run: ld\n {2}to run them here: agent-etl run \S+ --resume --run-id s1\n/);
    assert.equal(state("s1").status, "running");
    assert.equal(state("s1").finished_at, undefined, "a run with steps to run has not finished");

    const last = await runCli(["run", file, "--step", "ld", "--run-id", "s1"], { cwd: p.dir });
    assert.equal(last.code, 0, last.stdout + last.stderr);
    assert.match(last.stdout, /\n✓ run s1 succeeded: 1 step in .+ \(the other 2 steps had succeeded before\)\n/);
    assert.equal(state("s1").status, "succeeded");
    assert.equal(typeof state("s1").finished_at, "string");
    assert.equal(p.read("out/a.jsonl"), '{"id":"1","amount":10}\n{"id":"2","amount":3}\n');

    const again = await runCli(["run", file, "--resume", "--run-id", "s1"], { cwd: p.dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /✓ run s1 had already succeeded: nothing to run/);
  });

  it("after a bad value in a source, the first hint is to fix the data and --resume, which picks up the fixed source", async () => {
    p.write("data/a.csv", "id,amount\n1,10\n2,x\n");
    const failed = await runCli(["run", file, "--run-id", "h1"], { cwd: p.dir });
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    const hinted = /\n {2}fix the data \(or the pipeline\), then continue with: agent-etl run (\S+ --resume --run-id h1)\n/.exec(failed.stdout);
    assert.ok(hinted?.[1], failed.stdout);

    p.write("data/a.csv", "id,amount\n1,10\n2,3\n");
    rmSync(join(p.dir, "out"), { recursive: true, force: true });
    const resumed = await runCli(["run", ...hinted[1].split(" ")], { cwd: p.dir });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /\n✓ run h1 succeeded: 3 steps in /);
    assert.equal(p.read("out/a.jsonl"), '{"id":"1","amount":10}\n{"id":"2","amount":3}\n');
    assert.equal(state("h1").status, "succeeded");
  });
});

describe("--resume of a run that is not there", () => {
  const p = project("resume-unknown");
  const file = p.write("cont.etl.yaml", PIPELINE);
  after(() => p.cleanup());

  it("is bad usage (exit 2) that lists the runs that can be resumed, or says there are none", async () => {
    const none = await runCli(["run", file, "--resume", "--run-id", "nope"], { cwd: p.dir });
    assert.equal(none.code, 2, none.stdout + none.stderr);
    assert.match(none.stderr, /^agent-etl: --run-id nope: pipeline `cont` has no run with that id in \S+; nothing to resume: it has not run yet, so start a fresh run without --resume/);

    p.write("data/a.csv", "id,amount\n1,10\n2,x\n");
    for (const id of ["f1", "f2"]) assert.equal((await runCli(["run", file, "--run-id", id], { cwd: p.dir })).code, 1);
    p.write("data/a.csv", "id,amount\n1,10\n");
    assert.equal((await runCli(["run", file, "--run-id", "ok1"], { cwd: p.dir })).code, 0);

    const listed = await runCli(["run", file, "--resume", "--run-id", "f3"], { cwd: p.dir });
    assert.equal(listed.code, 2, listed.stdout + listed.stderr);
    assert.equal(listed.stdout, "");
    const line = listed.stderr.trim();
    assert.equal(line.split("\n").length, 1, line);
    // The failed runs, latest first; not the run that succeeded (there is nothing in it to resume),
    // and so no "leave out --run-id": the latest run is the one that succeeded.
    assert.match(line, /; runs that can be resumed, latest first: f2 \(failed, started [^)]+\), f1 \(failed, started [^)]+\) \(see agent-etl run --help\)$/);
    assert.doesNotMatch(line, /ok1|leave out/);

    // A listed id is taken: the run resumes, and since the file was fixed after f2 staged it, ex reads it again.
    const resumed = await runCli(["run", file, "--resume", "--run-id", "f2"], { cwd: p.dir });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /✓ run f2 succeeded/);
    assert.match(resumed.stderr, /source of `ex` changed since it was staged .*; extracting it again/);
  });
});
