/**
 * `on_error: quarantine` through the built CLI: a CSV where some values do not cast → the good
 * records reach the file target, the bad ones are in `<run>/<step>.rejected.jsonl` with their
 * op, column, value and reason, counted in `rows_rejected`; past `max_rejected` the step fails
 * with `too-many-rejected` and the target is not written.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { project, readEvents, runCli } from "./helpers";

const p = project("quarantine");
after(() => p.cleanup());

const N = 200;
/** Rows whose amount is not a number, and one whose timestamp is not one. */
const badAmount = (i: number) => i % 25 === 7;
const BAD_TIME = 100;
const rows = Array.from({ length: N }, (_, i) => ({
  id: i + 1,
  amount: badAmount(i) ? `n/a ${i}` : `${i}.5`,
  at: i === BAD_TIME ? "yesterday" : `2024-01-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00Z`,
}));
const bad = rows.filter((_, i) => badAmount(i) || i === BAD_TIME);
p.write("in.csv", ["id,amount,at", ...rows.map((r) => `${r.id},${r.amount},${r.at}`)].join("\n") + "\n");

const pipeline = (maxRejected: string, target: string) => `version: 1
name: quarantined
connections:
  files: { type: file }
steps:
  - id: raw
    extract: { connection: files, path: in.csv }
  - id: typed
    depends_on: [raw]
    on_error: quarantine
    max_rejected: ${maxRejected}
    transform:
      - cast: { id: integer, amount: number, at: timestamp }
  - id: save
    depends_on: [typed]
    load: { connection: files, path: ${target} }
`;

interface Rejected {
  op: number;
  row: number;
  column: string;
  value: unknown;
  reason: string;
  record: Record<string, unknown>;
}

let runs = 0;
async function run(maxRejected: string) {
  runs++;
  const file = p.write(`q${runs}.etl.yaml`, pipeline(maxRejected, `out/typed${runs}.jsonl`));
  const eventsPath = join(p.dir, `events${runs}.jsonl`);
  const out = join(p.dir, "out", `typed${runs}.jsonl`);
  const r = await runCli(["run", file, "--events", eventsPath], { cwd: p.dir });
  const events = readEvents(eventsPath);
  const runId = String(events.find((e) => e.event === "run_started")?.["run_id"]);
  const rejectedPath = join(p.dir, ".etl", "runs", runId, "typed.rejected.jsonl");
  const rejected = readFileSync(rejectedPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Rejected);
  return { r, events, out, rejected, rejectedPath };
}

function assertRejectedAreTheBadRows(rejected: Rejected[]): void {
  assert.deepEqual(rejected.map((x) => x.record["id"]).sort((a, b) => Number(a) - Number(b)), bad.map((b) => b.id));
  for (const x of rejected) {
    const source = rows[Number(x.record["id"]) - 1];
    assert.equal(x.op, 1);
    assert.equal(x.row, Number(x.record["id"]));
    if (x.column === "amount") {
      assert.equal(x.value, source?.amount);
      assert.match(x.reason, /cast to number: value "n\/a \d+" is not a number/);
    } else {
      assert.equal(x.column, "at");
      assert.equal(x.value, "yesterday");
      assert.match(x.reason, /cast to timestamp: value "yesterday" is not a timestamp/);
    }
  }
}

describe("on_error: quarantine", () => {
  it("loads the records that cast and writes the others, with reasons, to the rejected file", async () => {
    const { r, events, out, rejected, rejectedPath } = await run('"5%"');
    assert.equal(r.code, 0, r.stderr);
    const loaded = readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: number; amount: number });
    assert.equal(loaded.length, N - bad.length);
    const badIds = new Set(bad.map((b) => b.id));
    assert.deepEqual(loaded.map((l) => l.id), rows.filter((x) => !badIds.has(x.id)).map((x) => x.id));
    assert.equal(loaded[0]?.amount, 0.5);
    assertRejectedAreTheBadRows(rejected);
    const told = events.find((e) => e.event === "rows_rejected");
    assert.deepEqual({ ...told, time: undefined, run_id: undefined }, { event: "rows_rejected", step: "typed", rows: N, rejected: bad.length, max_rejected: "5%", file: told?.["file"], time: undefined, run_id: undefined });
    assert.ok(String(told?.["file"]).endsWith("typed.rejected.jsonl") && existsSync(rejectedPath));
    assert.equal(events.find((e) => e.event === "step_succeeded" && e.step === "typed")?.["rows"], N - bad.length);
    assert.match(r.stdout + r.stderr, new RegExp(`quarantine: typed: ${bad.length} of ${N} records rejected`));
  });

  it("fails the step past max_rejected, and the target is not written", async () => {
    const { r, events, out, rejected } = await run(String(bad.length - 1));
    assert.notEqual(r.code, 0);
    const failed = events.find((e) => e.event === "step_failed" && e.step === "typed");
    assert.equal(failed?.["code"], "too-many-rejected");
    assert.match(String(failed?.["error"]), new RegExp(`rejected ${bad.length} of ${N} records, more than max_rejected ${bad.length - 1} allows`));
    assert.equal(events.find((e) => e.event === "run_finished")?.["status"], "failed");
    assert.equal(existsSync(out), false, "the load must not write its target");
    assertRejectedAreTheBadRows(rejected);
  });
});
