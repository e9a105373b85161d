/**
 * `agent-etl run FILE --from … --to …` through the CLI on real files: 31 days, one run per day
 * under its own run id, one day failing; `--resume` re-runs only that day; four days at once give
 * the same output as one at a time; `--every 6h` runs a day in four chunks, each with its own
 * `{{ ts }}` and run id, resumable per chunk; `--ts` sets `{{ ts }}` of one run; bad ranges,
 * durations and flag combinations are usage errors.
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

const HOURLY = `version: 1
name: hourly
connections:
  disk: { type: file, root: . }
steps:
  - id: src
    extract: { connection: disk, path: "hourly_in/{{ ts_nodash }}.csv" }
  - id: out
    depends_on: [src]
    load: { connection: disk, path: "hourly_out/{{ ds }}/{{ ts }}.jsonl" }
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
      [["--from", "1900-01-01", "--to", "2024-01-02"], /1900-01-01 … 2024-01-02 every 1d is more than 10,000 runs/],
      [["--from", "2023-01-01", "--to", "2024-03-01", "--every", "1h"], /every 1h is more than 10,000 runs; backfill a shorter range, or with a longer --every/],
      [["--from", "2024-01-01", "--to", "2024-01-02", "--every", "90m"], /--every: give a duration: a whole number of hours or days, e.g. 1h, 6h, 1d/],
      [["--from", "2024-01-01", "--to", "2024-01-02", "--every", "0h"], /--every: give a duration/],
      [["--from", "2024-01-01", "--to", "2024-01-02", "--every", "1w"], /--every: give a duration/],
      [["--every", "1h"], /--every only applies with --from/],
      [["--from", "2024-01-01", "--to", "2024-01-02", "--ts", "2024-01-01T00:00:00+00:00"], /--from and --ts cannot go together/],
      [["--ts", "2024-01-01 05:00"], /--ts: use a date and time with its offset, e.g. 2024-01-31T05:00:00\+00:00/],
      [["--ts", "2024-01-01T05:00:00+00:00", "--ds", "2024-01-02"], /--ds: 2024-01-02 is not the date of --ts 2024-01-01T05:00:00\+00:00 \(2024-01-01 in UTC\)/],
    ];
    for (const [args, message] of cases) {
      const result = await run(...args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it("--every 6h runs a day in four chunks with their own {{ ts }} and run ids; --resume re-runs only the failed chunk", async () => {
    p.write("hourly.etl.yaml", HOURLY);
    const hours = ["000000", "060000", "120000", "180000"];
    for (const h of hours) if (h !== "120000") p.write(`hourly_in/20240301T${h}.csv`, `id\n${h}\n`);
    const hourly = (...args: string[]) => runCli(["run", "hourly.etl.yaml", "--from", "2024-03-01", "--to", "2024-03-01", "--every", "6h", ...args], { cwd: p.dir });

    const plan = await hourly("--dry-run");
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(plan.stdout.trim().split("\n"), [
      "backfill of hourly: 4 runs (every 6h), 1 at a time",
      ...["00", "06", "12", "18"].map((h) => `  2024-03-01T${h}:00:00+00:00  run hourly__backfill_2024-03-01T${h}00`),
    ]);

    const first = await hourly();
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /\[3\/4\] ✗ 2024-03-01T1200 {2}0 rows loaded {2}[\d.]+ s {2}step src: file `hourly_in\/20240301T120000\.csv` does not exist/);
    assert.match(first.stdout, /backfill 2024-03-01T0000 … 2024-03-01T1800: 3 succeeded, 1 failed, 0 already succeeded; 3 rows loaded/);
    assert.match(first.stdout, /continue with: agent-etl run hourly\.etl\.yaml --from 2024-03-01 --to 2024-03-01 --every 6h --resume/);

    p.write("hourly_in/20240301T120000.csv", "id\n120000\n");
    const resumed = await hourly("--resume");
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /backfill 2024-03-01T0000 … 2024-03-01T1800: 1 succeeded, 0 failed, 3 already succeeded; 1 rows loaded/);
    // Each chunk read and wrote its own files: {{ ts }} and {{ ts_nodash }} are the chunk's start.
    assert.deepEqual(readdirSync(join(p.dir, "hourly_out", "2024-03-01")).sort(), hours.map((h) => `2024-03-01T${h.slice(0, 2)}:00:00+00:00.jsonl`));
    for (const h of hours) {
      const ts = `2024-03-01T${h.slice(0, 2)}:00:00+00:00`;
      assert.deepEqual(JSON.parse(p.read(`hourly_out/2024-03-01/${ts}.jsonl`)), { id: h });
      const state = JSON.parse(p.read(`.etl/runs/hourly__backfill_2024-03-01T${h.slice(0, 4)}/state.json`)) as { ds: string; ts: string; status: string };
      assert.deepEqual([state.ds, state.ts, state.status], ["2024-03-01", ts, "succeeded"]);
    }
  });

  it("--ts sets {{ ts }} (and {{ ds }}, its UTC date) of one run; --resume keeps them", async () => {
    p.write("hourly.etl.yaml", HOURLY);
    p.write("hourly_in/20240302T050000.csv", "id\n5\n");
    const one = await runCli(["run", "hourly.etl.yaml", "--ts", "2024-03-02T05:00:00+00:00", "--run-id", "at_five"], { cwd: p.dir });
    assert.equal(one.code, 0, one.stdout + one.stderr);
    assert.deepEqual(JSON.parse(p.read("hourly_out/2024-03-02/2024-03-02T05:00:00+00:00.jsonl")), { id: "5" });
    const again = await runCli(["run", "hourly.etl.yaml", "--resume", "--run-id", "at_five"], { cwd: p.dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const state = JSON.parse(p.read(".etl/runs/at_five/state.json")) as { ds: string; ts: string };
    assert.deepEqual([state.ds, state.ts], ["2024-03-02", "2024-03-02T05:00:00+00:00"]);
  });
});
