import assert from "node:assert/strict";
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";
import { readRowsBatches } from "../../../server/src/sources/formats/rows";
import { project, readEvents, runCli } from "./helpers";

const PIPELINE = `version: 1
name: shop
params:
  country: DE
connections:
  files:
    type: file
steps:
  - id: extract_orders
    extract: { connection: files, path: data/orders.csv }
  - id: extract_customers
    extract: { connection: files, path: "data/customers.json" }
  - id: clean
    depends_on: [extract_orders]
    transform:
      - cast: { amount: number, customer_id: integer }
      - filter: amount > 0
  - id: joined
    depends_on: [clean, extract_customers]
    transform:
      - join: { with: extract_customers, on: customer_id, how: inner }
      - aggregate: { group_by: [country], metrics: { orders: count(), revenue: sum(amount) } }
  - id: load_report
    depends_on: [joined]
    load: { connection: files, path: "out/report_{{ ds_nodash }}_{{ params.country }}.jsonl" }
`;

function ordersCsv(n: number): string {
  const lines = ["order_id,customer_id,amount"];
  for (let i = 1; i <= n; i++) lines.push(`${i},${(i % 4) + 1},${(i % 7) - 1}.25`);
  return lines.join("\n") + "\n";
}

const CUSTOMERS = JSON.stringify([
  { customer_id: 1, country: "DE" },
  { customer_id: 2, country: "FR" },
  { customer_id: 3, country: "DE" },
]);

/** The report computed independently of the runner. */
function expectedReport(n: number): Map<string, { orders: number; revenue: number }> {
  const countries = new Map([[1, "DE"], [2, "FR"], [3, "DE"]]);
  const out = new Map<string, { orders: number; revenue: number }>();
  for (let i = 1; i <= n; i++) {
    const amount = (i % 7) - 1 + 0.25;
    const country = countries.get((i % 4) + 1);
    if (amount <= 0 || !country) continue;
    const g = out.get(country) ?? { orders: 0, revenue: 0 };
    out.set(country, { orders: g.orders + 1, revenue: g.revenue + amount });
  }
  return out;
}

function checkReport(text: string, n: number): void {
  const rows = text.trim().split("\n").map((l) => JSON.parse(l) as { country: string; orders: number; revenue: number });
  const expected = expectedReport(n);
  assert.equal(rows.length, expected.size);
  for (const row of rows) {
    const e = expected.get(row.country);
    assert.ok(e, row.country);
    assert.equal(row.orders, e.orders);
    assert.ok(Math.abs(row.revenue - e.revenue) < 1e-6);
  }
}

describe("agent-etl run (dist/cli.js)", () => {
  const p = project("run");
  let file = "";
  before(() => {
    file = p.write("shop.etl.yaml", PIPELINE);
    p.write("data/orders.csv", ordersCsv(500));
    p.write("data/customers.json", CUSTOMERS);
  });
  after(() => p.cleanup());

  it("runs the whole pipeline, writes events and the state, and prints a summary", async () => {
    const events = join(p.dir, "events.jsonl");
    const r = await runCli(["run", file, "--ds", "2024-03-01", "--param", "country=FR", "--events", events, "--run-id", "r1"], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    checkReport(p.read("out/report_20240301_FR.jsonl"), 500);
    const ev = readEvents(events);
    assert.equal(ev[0]?.event, "run_started");
    assert.equal(ev.at(-1)?.event, "run_finished");
    assert.equal(ev.at(-1)?.status, "succeeded");
    const succeeded = ev.filter((e) => e.event === "step_succeeded");
    assert.deepEqual(succeeded.map((e) => e.step).sort(), ["clean", "extract_customers", "extract_orders", "joined", "load_report"]);
    assert.equal(succeeded.find((e) => e.step === "extract_orders")?.rows, 500);
    for (const e of succeeded) assert.equal(typeof e.duration_ms, "number");
    for (const e of ev) assert.equal(e.run_id, "r1");
    const state = JSON.parse(p.read(".etl/runs/r1/state.json"));
    assert.equal(state.status, "succeeded");
    assert.equal(state.steps.extract_orders.rows, 500);
    assert.match(r.stdout, /step\s+status\s+rows/);
    assert.match(r.stdout, /\n✓ run r1 succeeded: 5 steps in \d+(\.\d)? m?s\n/);
    // The run's result is what its load wrote, and where; not the sum of every step's rows.
    const written = p.read("out/report_20240301_FR.jsonl").trim().split("\n").length;
    const load = succeeded.find((e) => e.step === "load_report");
    assert.equal(load?.rows, written);
    assert.match(r.stdout, new RegExp(`\n {2}loaded ${written} rows? into out/report_20240301_FR\\.jsonl\n`));
    assert.deepEqual(ev.at(-1)?.loaded, [{ step: "load_report", target: `file:${join(p.dir, "out", "report_20240301_FR.jsonl")}`, rows: written }]);
    const summed = succeeded.reduce((n, e) => n + Number(e.rows), 0);
    assert.ok(summed > written && !r.stdout.includes(`${summed} rows`), "no sum over steps");
  });

  it("--dry-run prints the plan and touches nothing", async () => {
    const r = await runCli(["run", file, "--dry-run", "--run-id", "dry", "--ds", "2024-03-01", "--param", "country=FR"], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Level 1 \(2 steps in parallel\):\n {2}extract_orders: extract from files \(data\/orders.csv\)/);
    // Paths as the run would write them, templates filled in.
    assert.match(r.stdout, /load_report: load \w+ into files \(out\/report_20240301_FR\.jsonl\)/);
    assert.match(r.stdout, /Dry run: no data was read or written/);
    assert.equal(existsSync(join(p.dir, ".etl/runs/dry")), false);
  });

  it("--step runs one step from the staged outputs of its upstream", async () => {
    rmSync(join(p.dir, "out"), { recursive: true });
    const events = join(p.dir, "step.jsonl");
    const r = await runCli(["run", file, "--step", "load_report", "--run-id", "r1", "--events", events], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(readEvents(events).filter((e) => e.event === "step_started").map((e) => e.step), ["load_report"]);
    checkReport(p.read("out/report_20240301_FR.jsonl"), 500);
    assert.match(r.stdout, /\n✓ run r1 succeeded: 1 step in .*\n {2}loaded \d+ rows? into out\/report_20240301_FR\.jsonl\n/);
  });

  it("--step reads an upstream staged as JSON Lines by an earlier version (no format in its meta)", async () => {
    const runDir = join(p.dir, ".etl/runs/r1");
    const records: Record<string, unknown>[] = [];
    for await (const batch of readRowsBatches(createReadStream(join(runDir, "joined.rows")))) records.push(...batch);
    const meta = JSON.parse(p.read(".etl/runs/r1/joined.meta.json")) as { rows: number; format?: string };
    assert.equal(meta.format, "rows");
    writeFileSync(join(runDir, "joined.jsonl"), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    writeFileSync(join(runDir, "joined.meta.json"), JSON.stringify({ rows: meta.rows }));
    rmSync(join(runDir, "joined.rows"));
    rmSync(join(p.dir, "out"), { recursive: true });
    const r = await runCli(["run", file, "--step", "load_report", "--run-id", "r1"], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    checkReport(p.read("out/report_20240301_FR.jsonl"), 500);
  });

  it("--step fails clearly when the upstream has no staged output", async () => {
    const r = await runCli(["run", file, "--step", "joined", "--run-id", "fresh"], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /step `clean` has no staged output in run fresh/);
  });

  it("--resume re-runs only the steps that did not succeed", async () => {
    // A folder where the report file should go makes the load fail; removing it fixes the cause.
    const blocker = join(p.dir, "out", "report_20240301_DE.jsonl");
    mkdirSync(join(blocker, "x"), { recursive: true });
    const first = await runCli(["run", file, "--ds", "2024-03-01", "--run-id", "r2"], { cwd: p.dir });
    assert.equal(first.code, 1);
    assert.match(first.stdout, /✖ run r2 failed at step load_report/);
    assert.match(first.stdout, /--resume --run-id r2/);
    rmSync(blocker, { recursive: true });
    const events = join(p.dir, "resume.jsonl");
    const second = await runCli(["run", file, "--resume", "--events", events], { cwd: p.dir });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual(readEvents(events).filter((e) => e.event === "step_started").map((e) => e.step), ["load_report"]);
    checkReport(p.read("out/report_20240301_DE.jsonl"), 500);
    assert.deepEqual(readdirSync(join(p.dir, "out")).filter((f) => f.endsWith(".tmp")), []);
  });

  it("--run-id refuses a run of another pipeline sharing the staging folder, and touches nothing", async () => {
    const other = p.write("other.etl.yaml", PIPELINE.replace("name: shop", "name: other"));
    const runDir = join(p.dir, ".etl/runs/r1");
    const snapshot = () => readdirSync(runDir).sort().map((f) => [f, p.read(`.etl/runs/r1/${f}`)]);
    const before = snapshot();
    for (const args of [["--resume", "--run-id", "r1"], ["--step", "load_report", "--run-id", "r1"], ["--run-id", "r1"]]) {
      const r = await runCli(["run", other, ...args], { cwd: p.dir });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /--run-id r1: that run belongs to pipeline `shop` \(.*shop\.etl\.yaml\), not to this pipeline `other`/);
      assert.equal(r.stdout, "", "no step ran");
    }
    assert.deepEqual(snapshot(), before, "the other pipeline's run is untouched");
    assert.equal(JSON.parse(p.read(".etl/runs/r1/state.json")).pipeline, "shop");
  });

  it("an --events path that cannot be written is bad usage, said in one line before any step runs", async () => {
    const missing = join(p.dir, "no-such-folder", "ev.jsonl");
    const cases: [string, RegExp][] = [
      [missing, /^agent-etl: --events .*no-such-folder\/ev\.jsonl: cannot write events there: folder .*no-such-folder does not exist/],
      [p.dir, /^agent-etl: --events .*: cannot write events there: .* is a folder; give a file path, e.g. .*events\.jsonl/],
    ];
    for (const [events, message] of cases) {
      const r = await runCli(["run", file, "--events", events, "--run-id", "ev-bad"], { cwd: p.dir });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.equal(r.stdout, "");
      assert.equal(existsSync(join(p.dir, ".etl/runs/ev-bad")), false, "no run was started");
    }
  });

  it("a failing cast names the step, the row and the value, and stops scheduling", async () => {
    const bad = p.write("bad/shop.etl.yaml", PIPELINE);
    p.write("bad/data/orders.csv", "order_id,customer_id,amount\n1,1,2.5\n2,1,3\n3,1,12,5x\n".replace("12,5x", '"12,5"'));
    p.write("bad/data/customers.json", CUSTOMERS);
    const events = join(p.dir, "bad.jsonl");
    const r = await runCli(["run", bad, "--events", events, "--concurrency", "1"], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✖ clean failed after 1 attempt \[cast-failed\]: cast failed at row 3 \(transform op 1\): column `amount` value "12,5" is not a number/);
    const started = readEvents(events).filter((e) => e.event === "step_started").map((e) => e.step);
    assert.ok(!started.includes("joined") && !started.includes("load_report"), started.join());
    assert.match(r.stdout, /load_report\s+skipped/);
  });

  it("keeps every CSV value: an unnamed column is column_N, a repeated header name fails the extract", async () => {
    const csvPipeline = (input: string) => `version: 1
name: headers
connections:
  files: { type: file }
steps:
  - id: extract
    extract: { connection: files, path: ${input} }
  - id: save
    depends_on: [extract]
    load: { connection: files, path: out/${input.replace("in/", "")} }
`;
    p.write("headers/in/blank.csv", "id,,name,\n1,2,Ann,3\n");
    const ok = await runCli(["run", p.write("headers/blank.etl.yaml", csvPipeline("in/blank.csv"))], { cwd: p.dir });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(p.read("headers/out/blank.csv"), "id,column_2,name,column_4\n1,2,Ann,3\n");

    p.write("headers/in/dup.csv", "id,id,\n1,2,3\n");
    const bad = await runCli(["run", p.write("headers/dup.etl.yaml", csvPipeline("in/dup.csv"))], { cwd: p.dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✖ extract failed after 1 attempt \[bad-record\]: in\/dup\.csv: the CSV header gives more than one column the same name, .*`id` twice \(columns 1 and 2\)\. .*`csv: \{header: false\}`.*`rename`/);
    assert.equal(existsSync(join(p.dir, "headers", "out", "dup.csv")), false);
  });

  it("refuses a file with validation errors, and bad usage exits 2", async () => {
    const invalid = p.write("invalid.etl.yaml", PIPELINE.replace("depends_on: [joined]", "depends_on: [nope]"));
    const r = await runCli(["run", invalid], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid\.etl\.yaml:\d+:\d+: error \[unknown-step\]/);
    const usage = async (args: string[]) => {
      let err = "";
      const io: Io = { stdout: () => undefined, stderr: (t) => (err += t), logger: pino({ level: "silent" }), env: {}, cwd: p.dir };
      return { code: await main(args, io), err };
    };
    assert.deepEqual(await usage(["run", file, "--concurrency", "zero"]), { code: 2, err: "agent-etl: run: --concurrency: give a whole number of steps, e.g. 4 (see agent-etl run --help)" });
    assert.equal((await usage(["run", file, "--ds", "2024-13-01"])).code, 2);
    assert.deepEqual(await usage(["run", file, "--ds", "2024-02-30"]), { code: 2, err: "agent-etl: run: --ds: 2024-02-30 is not a day of the calendar; use a date like 2024-01-31 (see agent-etl run --help)" });
    assert.equal((await usage(["run", file, "--ds", "2023-02-29"])).code, 2);
    assert.equal((await usage(["run", file, "--ds", "2024-04-31"])).code, 2);
    assert.equal((await usage(["run", file, "--ds", "2024-02-29", "--dry-run"])).code, 0, "a leap day is a day");
    assert.match((await usage(["run", file, "--step", "nope"])).err, /--step nope: no such step; steps: extract_orders, extract_customers/);
    assert.equal((await usage(["run", file, "--param", "novalue"])).code, 2);
    assert.deepEqual(await usage(["run", file, "--param", "contry=FR"]), { code: 2, err: "agent-etl: unknown param contry; the pipeline declares: country (did you mean country?) (see agent-etl run --help)" });
    const noParams = p.write("noparams/shop.etl.yaml", PIPELINE.replace("params:\n  country: DE\n", "").replace("_{{ params.country }}", ""));
    assert.match((await usage(["run", noParams, "--param", "country=FR"])).err, /unknown param country; the pipeline declares no params and its templates use none/);
    assert.equal((await usage(["run"])).code, 2);
    assert.equal((await usage(["run", file, "--bogus"])).code, 2);
  });

  it("an unknown template parameter fails before any step starts", async () => {
    const tpl = p.write("tpl/shop.etl.yaml", PIPELINE.replace("{{ params.country }}", "{{ params.region }}"));
    const r = await runCli(["run", tpl], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /step load_report: unknown template variable `params\.region`.*--param region=VALUE/);
    assert.equal(existsSync(join(p.dir, "tpl", ".etl")), false);
    // A param only the command line gives, as the message suggests, is one the pipeline reads.
    const given = await runCli(["run", tpl, "--param", "region=EU", "--dry-run"], { cwd: p.dir });
    assert.equal(given.code, 0, given.stderr);
  });
});
