/**
 * `checks:` through the built CLI against a real PostgreSQL: each check form passes on good data
 * and fails on bad data; a failed `error` check leaves the target table and `_agent_etl_loads`
 * exactly as they were (the load streams from the checked step and must roll back), `warn` goes on,
 * `--skip-checks` says so, and sample rows in events carry no secret.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { postgresProject, readEvents, ROOT, runCli, type Event } from "./helpers";

const DB = "checks_db";
const cluster = postgresProject("checks", DB);
const p = cluster.p;
const env = () => ({ CHECKS_PG_URL: cluster.url });

interface Row {
  order_id: string;
  amount: string;
  status: string;
  ordered_at: string;
  email: string;
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

function goodRows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({ order_id: String(i + 1), amount: String(10 + i), status: i % 4 === 0 ? "refunded" : "paid", ordered_at: hoursAgo(1 + i / 10), email: `u${i + 1}@example.com` }));
}

const csv = (rows: Row[]) => ["order_id,amount,status,ordered_at,email", ...rows.map((r) => [r.order_id, r.amount, r.status, r.ordered_at, r.email].join(","))].join("\n") + "\n";

/** The pipeline: CSV → cast (with the checks) → append to PostgreSQL table `paid`. */
const pipeline = (checks: string[]) => `version: 1
name: checked
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:CHECKS_PG_URL}" }
steps:
  - id: orders
    extract: { connection: files, path: orders.csv }
  - id: paid
    depends_on: [orders]
    transform:
      - cast: { order_id: integer, amount: number, ordered_at: timestamp }
    checks:
${checks.map((c) => `      - ${c}`).join("\n")}
  - id: save
    depends_on: [paid]
    load: { connection: db, table: paid, mode: append }
`;

async function counts(): Promise<{ rows: number; loads: number }> {
  const [rows] = await cluster.server.query<{ n: number }>("SELECT count(*)::int AS n FROM paid", [], DB);
  const [loads] = await cluster.server.query<{ n: number }>("SELECT count(*)::int AS n FROM _agent_etl_loads", [], DB);
  return { rows: rows?.n ?? -1, loads: loads?.n ?? -1 };
}

let runs = 0;
async function run(name: string, rows: Row[], checks: string[], extra: string[] = []) {
  const dir = `${name}-${++runs}`;
  p.write(`${dir}/orders.csv`, csv(rows));
  const file = p.write(`${dir}/p.etl.yaml`, pipeline(checks));
  const events = join(p.dir, `${dir}/events.jsonl`);
  const r = await runCli(["run", file, "--events", events, ...extra], { cwd: p.dir, env: env() });
  return { ...r, out: r.stdout + r.stderr, events: readEvents(events) };
}

const FORMS: { name: string; check: string; spoil: (rows: Row[]) => void; failed: number; says: RegExp }[] = [
  { name: "not_null", check: "not_null: [order_id, amount]", spoil: (r) => ((r[3] as Row).amount = ""), failed: 1, says: /1 of 20 records has no value in `amount` \(row 4\)/ },
  { name: "unique", check: "unique: [order_id]", spoil: (r) => ((r[9] as Row).order_id = "3"), failed: 1, says: /1 of 20 records repeats a `order_id` already seen \(row 10: 3\)/ },
  { name: "accepted_values", check: "accepted_values: {column: status, values: [paid, refunded]}", spoil: (r) => ((r[5] as Row).status = "pending"), failed: 1, says: /a `status` that is not one of "paid", "refunded" \(row 6: "pending"\)/ },
  { name: "range", check: "range: {column: amount, min: 0, max: 100000}", spoil: (r) => ((r[7] as Row).amount = "-5"), failed: 1, says: /`amount` that is not a number between 0 and 100000 \(row 8: -5\)/ },
  { name: "row_count", check: "row_count: {min: 1, max: 10}", spoil: () => undefined, failed: 0, says: /the step output 20 records; the check wants at most 10/ },
  { name: "freshness", check: "freshness: {column: ordered_at, max_age: 36h}", spoil: (r) => r.forEach((row) => (row.ordered_at = hoursAgo(48))), failed: 0, says: /the newest `ordered_at` is ".*", 48h old; the check allows 36h/ },
  { name: "expression", check: `expression: "amount >= 0 or status = 'refunded'"`, spoil: (r) => Object.assign(r[11] as Row, { amount: "-1", status: "paid" }), failed: 1, says: /1 of 20 records makes `amount >= 0 or status = 'refunded'` false \(row 12\)/ },
];

const failedOf = (events: Event[]) => events.filter((e) => e.event === "check_failed");

describe("checks (dist/cli.js, real PostgreSQL)", () => {
  it("every form passes on good data: the load runs, each check reports check_passed", async () => {
    const r = await run("good", goodRows(20), FORMS.map((f) => f.check.replace("max: 10}", "max: 100}")));
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.events.filter((e) => e.event === "check_passed").map((e) => e.kind), FORMS.map((f) => f.name));
    assert.deepEqual(failedOf(r.events), []);
    assert.deepEqual(await counts(), { rows: 20, loads: 1 });
  });

  for (const form of FORMS) {
    it(`${form.name} fails on bad data: step failed with check-failed, no downstream load, target and _agent_etl_loads unchanged`, async () => {
      const before = await counts();
      const rows = goodRows(20);
      form.spoil(rows);
      const r = await run(`bad-${form.name}`, rows, [form.check]);
      assert.equal(r.code, 1, r.out);
      assert.deepEqual(await counts(), before);
      const [failed] = failedOf(r.events);
      assert.equal(failed?.kind, form.name);
      assert.equal(failed?.severity, "error");
      assert.equal(failed?.rows, 20);
      assert.equal(failed?.failed, form.failed);
      assert.equal((failed?.samples as unknown[]).length, form.failed);
      assert.match(String(failed?.message), form.says);
      assert.match(String(failed?.message), /To fix: .*or set `severity: warn` on the check/);
      const stepFailed = r.events.find((e) => e.event === "step_failed");
      assert.deepEqual([stepFailed?.step, stepFailed?.code], ["paid", "check-failed"]);
      const finished = r.events.find((e) => e.event === "run_finished");
      assert.deepEqual(finished?.steps, { orders: "succeeded", paid: "failed", save: "skipped" });
      // The summary names the step, the check and the fix.
      assert.match(r.stdout, new RegExp(`run \\S+ failed at step paid: check failed: step \`paid\`, check 1 \`${form.check.split(":")[0]}`));
    });
  }

  it("a warn check that fails is reported (event, output) and the run goes on to load", async () => {
    const before = await counts();
    const rows = goodRows(20);
    (rows[2] as Row).email = (rows[1] as Row).email;
    const r = await run("warn", rows, ["not_null: [order_id]", "{unique: [email], severity: warn}"]);
    assert.equal(r.code, 0, r.out);
    const [failed] = failedOf(r.events);
    assert.deepEqual([failed?.severity, failed?.failed], ["warn", 1]);
    assert.doesNotMatch(String(failed?.message), /set `severity: warn`/);
    assert.match(r.stdout, /⚠ warn check failed: step `paid`, check 2 `unique: \[email\]`: 1 of 20 records repeats/);
    assert.deepEqual(await counts(), { rows: before.rows + 20, loads: before.loads + 1 });
  });

  it("--skip-checks runs without them and the summary says the data was not checked", async () => {
    const before = await counts();
    const rows = goodRows(20);
    (rows[0] as Row).status = "pending";
    const r = await run("skip", rows, ["accepted_values: {column: status, values: [paid, refunded]}"], ["--skip-checks"]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(failedOf(r.events), []);
    assert.match(r.stdout, /⚠ --skip-checks: the checks of paid were not run; this data was not checked/);
    assert.deepEqual(await counts(), { rows: before.rows + 20, loads: before.loads + 1 });
  });

  it("--dry-run lists each step's checks, and says when --skip-checks skips them", async () => {
    const file = p.write("dry/p.etl.yaml", pipeline(["not_null: [order_id]", "{unique: [email], severity: warn}"]));
    const plain = await runCli(["run", file, "--dry-run"], { cwd: p.dir, env: env() });
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.match(plain.stdout, /\n {2}paid: transform orders: cast — [^\n]*\n {4}checks: not_null: \[order_id\]; unique: \[email\] \(warn\)\n/);
    const skipped = await runCli(["run", file, "--dry-run", "--skip-checks"], { cwd: p.dir, env: env() });
    assert.match(skipped.stdout, /\n {4}checks \(skipped: --skip-checks\): not_null: \[order_id\]/);
  });

  it("examples/checked_orders.etl.yaml runs: its error checks pass, its warn check reports repeated customers", async () => {
    const dir = join(p.dir, "example");
    cpSync(join(ROOT, "examples"), dir, { recursive: true, filter: (src) => !/[/\\](out|\.etl)$/.test(src) });
    const events = join(dir, "events.jsonl");
    const r = await runCli(["run", "checked_orders.etl.yaml", "--events", events], { cwd: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const failed = failedOf(readEvents(events));
    assert.deepEqual(failed.map((e) => [e.check, e.severity, e.failed]), [["unique: [customer_email]", "warn", 2]]);
    const written = readFileSync(join(dir, "out", "settled_orders.jsonl"), "utf8").trim().split("\n");
    assert.equal(written.length, 8);
  });

  it("samples in events and messages carry no secret, and several failed checks are all named", async () => {
    const before = await counts();
    const rows = goodRows(20);
    // A record that holds the connection URL (the run's secret) in the failing value and elsewhere.
    Object.assign(rows[4] as Row, { status: cluster.url, email: cluster.url });
    (rows[6] as Row).amount = "";
    const r = await run("secret", rows, ["accepted_values: {column: status, values: [paid, refunded]}", "not_null: [amount]"]);
    assert.equal(r.code, 1, r.out);
    assert.deepEqual(await counts(), before);
    const failed = failedOf(r.events);
    assert.deepEqual(failed.map((e) => e.kind), ["accepted_values", "not_null"]);
    const text = JSON.stringify(r.events) + r.out;
    assert.ok(!text.includes(cluster.url), "the connection URL leaked");
    assert.equal((failed[0]?.samples as { record: Row }[])[0]?.record.email, "***");
    assert.match(r.stdout, /2 checks failed on step `paid`:\n {2}- step `paid`, check 1 `accepted_values on status`.*\n {2}- step `paid`, check 2 `not_null: \[amount\]`/);
  });
});
