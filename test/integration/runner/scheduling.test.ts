import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import pino from "pino";
import { main } from "../../../server/src/cli/main";
import type { Io } from "../../../server/src/cli/command";
import { project, readEvents } from "./helpers";

/** Runs the CLI in this process with captured output. */
async function runInProcess(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => (out += t + "\n"), stderr: (t) => (err += t + "\n"), logger: pino({ level: "silent" }), env: {}, cwd };
  const code = await main(args, io);
  return { code, out, err };
}

const PIPELINE = `version: 1
name: levels
connections:
  files: { type: file }
steps:
  - id: a_broken
    extract: { connection: files, path: missing.jsonl }
  - id: b_ok
    extract: { connection: files, path: rows.jsonl }
  - id: c_ok
    extract: { connection: files, path: rows.jsonl }
  - id: d_after
    depends_on: [b_ok]
    load: { connection: files, path: out/d.jsonl }
`;

describe("scheduling (in process)", () => {
  const p = project("sched");
  const file = p.write("levels.etl.yaml", PIPELINE);
  p.write("rows.jsonl", '{"x":1}\n{"x":2}\n');
  after(() => p.cleanup());

  it("with concurrency 1, a failure stops new steps of the same and later levels", async () => {
    const events = join(p.dir, "c1.jsonl");
    const r = await runInProcess(["run", file, "--concurrency", "1", "--events", events, "--run-id", "c1"], p.dir);
    assert.equal(r.code, 1, r.out + r.err);
    assert.deepEqual(readEvents(events).filter((e) => e.event === "step_started").map((e) => e.step), ["a_broken"]);
    const state = JSON.parse(p.read(".etl/runs/c1/state.json"));
    assert.deepEqual(Object.fromEntries(Object.entries(state.steps).map(([k, v]) => [k, (v as { status: string }).status])), { a_broken: "failed", b_ok: "skipped", c_ok: "skipped", d_after: "skipped" });
  });

  it("with concurrency 3, steps already running finish, and the next level never starts", async () => {
    const events = join(p.dir, "c3.jsonl");
    const r = await runInProcess(["run", file, "--concurrency", "3", "--events", events, "--run-id", "c3"], p.dir);
    assert.equal(r.code, 1);
    const ev = readEvents(events);
    assert.deepEqual(ev.filter((e) => e.event === "step_succeeded").map((e) => e.step).sort(), ["b_ok", "c_ok"]);
    assert.equal(ev.filter((e) => e.event === "step_started" && e.step === "d_after").length, 0);
    assert.equal(ev.at(-1)?.status, "failed");
    assert.match(r.out, /a_broken failed after 1 attempt \[not-found\]: file `missing.jsonl` does not exist/);
  });

  it("--resume after fixing the cause runs the rest", async () => {
    p.write("missing.jsonl", '{"y":1}\n');
    const events = join(p.dir, "resume.jsonl");
    const r = await runInProcess(["run", file, "--resume", "--run-id", "c1", "--events", events], p.dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.deepEqual(readEvents(events).filter((e) => e.event === "step_started").map((e) => e.step).sort(), ["a_broken", "b_ok", "c_ok", "d_after"]);
    assert.equal(p.read("out/d.jsonl"), '{"x":1}\n{"x":2}\n');
  });
});

describe("policy and staging (in process)", () => {
  const p = project("policy");
  after(() => p.cleanup());

  it("a step that exceeds its timeout is retried with backoff, then fails with the timeout as reason", async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(40) })).join("\n");
    p.write("big.jsonl", rows + "\n");
    const file = p.write("slow.etl.yaml", `version: 1
name: slow
connections:
  files: { type: file }
steps:
  - id: extract
    retries: 2
    retry_delay: 10ms
    timeout: 1ms
    extract: { connection: files, path: big.jsonl }
`);
    const events = join(p.dir, "slow.jsonl");
    const r = await runInProcess(["run", file, "--events", events, "--run-id", "t1"], p.dir);
    assert.equal(r.code, 1);
    const ev = readEvents(events);
    const retries = ev.filter((e) => e.event === "step_retry");
    assert.deepEqual(retries.map((e) => e.attempt), [2, 3]);
    assert.ok(retries.every((e) => e.code === "timeout" && typeof e.delay_ms === "number" && (e.delay_ms as number) >= 5));
    const failed = ev.find((e) => e.event === "step_failed");
    assert.equal(failed?.attempts, 3);
    assert.equal(failed?.transient, true);
    assert.match(String(failed?.error), /longer than its timeout \(1 ms\); raise the step's `timeout`/);
  });

  it("stages through a `file` staging connection with a prefix", async () => {
    p.write("rows.jsonl", '{"a":1}\n');
    const file = p.write("staged.etl.yaml", `version: 1
name: staged
staging: { connection: shared, prefix: etl-staging }
connections:
  files: { type: file }
  shared: { type: file, root: shared-folder }
steps:
  - id: extract
    extract: { connection: files, path: rows.jsonl }
`);
    const r = await runInProcess(["run", file, "--run-id", "st1"], p.dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(p.read("shared-folder/etl-staging/st1/extract.jsonl"), '{"a":1}\n');
    assert.equal(JSON.parse(p.read("shared-folder/etl-staging/st1/state.json")).status, "succeeded");
  });
});
