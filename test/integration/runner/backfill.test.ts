/**
 * `agent-etl run FILE --from … --to …` through the CLI on real files: 31 days, one run per day
 * under its own run id, one day failing; `--resume` re-runs only that day; four days at once give
 * the same output as one at a time; bad ranges and flag combinations are usage errors.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { project, runCli } from "./helpers";

const p = project("backfill");
after(() => p.cleanup());

const PIPELINE = `version: 1
name: daily
connections:
  disk: { type: file, root: . }
steps:
  - id: src
    extract: { connection: disk, path: "in/{{ ds }}.csv" }
  - id: out
    depends_on: [src]
    load: { connection: disk, path: "out/{{ ds }}.jsonl" }
`;

const days = Array.from({ length: 31 }, (_, i) => `2024-01-${String(i + 1).padStart(2, "0")}`);
const run = (...args: string[]) => runCli(["run", "daily.etl.yaml", ...args], { cwd: p.dir });

function outputs(): Record<string, string> {
  return Object.fromEntries(readdirSync(join(p.dir, "out")).sort().map((f) => [f, p.read(`out/${f}`)]));
}

describe("backfills (dist/cli.js, real files)", () => {
  it("runs 31 days, one failing; --resume re-runs only it; --concurrency 4 gives the same rows", async () => {
    p.write("daily.etl.yaml", PIPELINE);
    for (const ds of days) if (ds !== "2024-01-15") p.write(`in/${ds}.csv`, `id,day\n1,${ds}\n2,${ds}\n`);
    const first = await run("--from", "2024-01-01", "--to", "2024-01-31");
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /\[15\/31\] ✗ 2024-01-15 {2}0 rows loaded {2}[\d.]+ s {2}step src: file `in\/2024-01-15\.csv` does not exist/);
    assert.match(first.stdout, /backfill 2024-01-01 … 2024-01-31: 30 succeeded, 1 failed, 0 already succeeded; 60 rows loaded in/);
    assert.match(first.stdout, /continue with: agent-etl run daily\.etl\.yaml --from 2024-01-01 --to 2024-01-31 --resume/);
    assert.ok(days.every((ds) => existsSync(join(p.dir, ".etl", "runs", `daily__backfill_${ds}`, "state.json"))), "one run id per day");
    const lines = first.stdout.split("\n").filter((l) => /^\[\d+\/31\]/.test(l)).map((l) => / (\d{4}-\d\d-\d\d) /.exec(l)?.[1]);
    assert.deepEqual(lines, days, "in date order");

    p.write("in/2024-01-15.csv", "id,day\n1,2024-01-15\n");
    const resumed = await run("--from", "2024-01-01", "--to", "2024-01-31", "--resume");
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /backfill 2024-01-01 … 2024-01-31: 1 succeeded, 0 failed, 30 already succeeded; 1 rows loaded/);
    assert.match(resumed.stdout, /✓ 2024-01-15 {2}1 rows loaded/);
    const sequential = outputs();
    assert.equal(Object.keys(sequential).length, 31);

    rmSync(join(p.dir, "out"), { recursive: true });
    const parallel = await run("--from", "2024-01-01", "--to", "2024-01-31", "--concurrency", "4");
    assert.equal(parallel.code, 0, parallel.stdout + parallel.stderr);
    assert.deepEqual(outputs(), sequential);
  });

  it("refuses bad dates, ranges and flag combinations", async () => {
    p.write("daily.etl.yaml", PIPELINE);
    const cases: [string[], RegExp][] = [
      [["--from", "2024-01-05", "--to", "2024-01-01"], /--to: 2024-01-01 is before --from 2024-01-05/],
      [["--from", "2024-02-30", "--to", "2024-03-01"], /--from: 2024-02-30 is not a day of the calendar/],
      [["--from", "2024-01-01"], /--from only applies with --to/],
      [["--from", "2024-01-01", "--to", "2024-01-02", "--ds", "2024-01-01"], /--from and --ds cannot go together/],
      [["--from", "1900-01-01", "--to", "2024-01-02"], /is more than 10,000 days/],
    ];
    for (const [args, message] of cases) {
      const result = await run(...args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
