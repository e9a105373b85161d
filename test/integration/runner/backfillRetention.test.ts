/**
 * Retention and backfills through the CLI on real files (issue 21): a backfill with a failed day is
 * never pruned by the ordinary runs that follow it, however far past `keep_runs`, so `--resume`
 * still skips every day that succeeded; once every day has succeeded, its days are pruned like any
 * other run.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { project, runCli } from "./helpers";

const p = project("backfill-retention");
after(() => p.cleanup());

const PIPELINE = `version: 1
name: daily
retention: { keep_runs: 2 }
connections:
  disk: { type: file, root: . }
steps:
  - id: src
    extract: { connection: disk, path: "in/{{ ds }}.csv" }
  - id: out
    depends_on: [src]
    load: { connection: disk, path: "out/{{ ds }}.jsonl" }
`;

const days = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"];
const dayRun = (ds: string) => `daily__backfill_${ds}`;
const run = (...args: string[]) => runCli(["run", "daily.etl.yaml", ...args], { cwd: p.dir });

/** The runs the history lists, and those with staged outputs. */
async function kept(): Promise<{ history: string[]; staged: string[] }> {
  const listed = await runCli(["runs", "daily.etl.yaml", "--format", "json", "--limit", "100"], { cwd: p.dir });
  assert.equal(listed.code, 0, listed.stderr);
  const history = (JSON.parse(listed.stdout) as { runs: { run_id: string }[] }).runs.map((r) => r.run_id);
  const staged = [...history, ...days.map(dayRun)].filter((id) => existsSync(join(p.dir, ".etl", "runs", id, "state.json")));
  return { history, staged: [...new Set(staged)] };
}

describe("retention and backfills (dist/cli.js, real files)", () => {
  it("keeps every day of a backfill that can still be resumed; prunes them once it is done", async () => {
    p.write("daily.etl.yaml", PIPELINE);
    for (const ds of days) if (ds !== "2024-01-03") p.write(`in/${ds}.csv`, `id,day\n1,${ds}\n`);
    const backfill = await run("--from", "2024-01-01", "--to", "2024-01-05");
    assert.equal(backfill.code, 1, backfill.stdout + backfill.stderr);
    assert.match(backfill.stdout, /4 succeeded, 1 failed/);

    // Ordinary runs after it, more than keep_runs of them: each applies retention when it ends.
    p.write("in/2024-02-01.csv", "id,day\n1,2024-02-01\n");
    for (let i = 0; i < 3; i++) {
      const ordinary = await run("--ds", "2024-02-01");
      assert.equal(ordinary.code, 0, ordinary.stdout + ordinary.stderr);
    }
    const during = await kept();
    for (const ds of days) {
      assert.ok(during.history.includes(dayRun(ds)), `${ds} is still in the history: ${during.history.join(", ")}`);
      assert.ok(during.staged.includes(dayRun(ds)), `${ds} is still staged`);
    }
    const ordinaryRuns = during.history.filter((id) => !id.includes("__backfill_"));
    assert.equal(ordinaryRuns.length, 2, `the ordinary runs are pruned to keep_runs: ${ordinaryRuns.join(", ")}`);

    // `runs prune` spares them too, and says why; --include-resumable is how to let them go.
    const dry = await runCli(["runs", "prune", "daily.etl.yaml", "--dry-run"], { cwd: p.dir });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /kept daily__backfill_2024-01-01: a run of a backfill that can still be resumed/);

    p.write("in/2024-01-03.csv", "id,day\n1,2024-01-03\n");
    const resumed = await run("--from", "2024-01-01", "--to", "2024-01-05", "--resume");
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /1 succeeded, 0 failed, 4 already succeeded; 1 rows loaded/);

    // Done: the next ordinary run prunes down to keep_runs (the last successful run is kept).
    const next = await run("--ds", "2024-02-01");
    assert.equal(next.code, 0, next.stdout + next.stderr);
    const done = await kept();
    assert.equal(done.history.length, 2, `keep_runs: 2 once the backfill is done: ${done.history.join(", ")}`);
    assert.ok(days.slice(0, 4).every((ds) => !done.staged.includes(dayRun(ds))), `the older days' outputs are gone: ${done.staged.join(", ")}`);
  });
});
