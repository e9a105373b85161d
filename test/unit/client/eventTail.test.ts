import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { BadLine, RunEvent } from "../../../client/src/run/events";
import { EventFileTail } from "../../../client/src/run/tail";

const dir = mkdtempSync(join(tmpdir(), "agent-etl-tail-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const line = (o: unknown): string => JSON.stringify(o) + "\n";

describe("EventFileTail (following the runner's --events file)", () => {
  it("delivers appended lines in order as they are written", async () => {
    const file = join(dir, "events.jsonl");
    const events: RunEvent[] = [];
    const bad: BadLine[] = [];
    const tail = new EventFileTail(file, (e) => events.push(e), (b) => bad.push(b), 10);
    tail.start();
    tail.start(); // a second start keeps the one poll
    writeFileSync(file, line({ event: "run_started", run_id: "r1", pipeline: "p", steps: ["a"] }));
    await until(() => events.length === 1, "run_started");
    appendFileSync(file, line({ event: "step_started", step: "a" }) + "not json\n" + '{"event":"step_succeeded","step":"a","rows":');
    await until(() => events.length === 2 && bad.length === 1, "step_started and the bad line");
    assert.deepEqual(events.map((e) => e.type), ["run_started", "step_started"]);
    assert.equal(bad[0]?.line, "not json");
    appendFileSync(file, "3}\n");
    await until(() => events.length === 3, "the line completed by a later write");
    assert.deepEqual(events[2], { type: "step_succeeded", stepId: "a", rows: 3, durationMs: null, time: null });
    await tail.stop();
  });

  it("stop() reads what is left and flushes a last line that has no newline", async () => {
    const file = join(dir, "unterminated.jsonl");
    writeFileSync(file, line({ event: "step_started", step: "x" }) + JSON.stringify({ event: "run_finished", status: "succeeded", duration_ms: 4 }));
    const events: RunEvent[] = [];
    const tail = new EventFileTail(file, (e) => events.push(e), undefined, 60_000); // never polls on its own
    tail.start();
    await tail.stop();
    assert.deepEqual(events.map((e) => e.type), ["step_started", "run_finished"]);
  });

  it("reads files larger than one 64 KiB chunk completely", async () => {
    const file = join(dir, "big.jsonl");
    const count = 3000;
    writeFileSync(file, Array.from({ length: count }, (_, i) => line({ event: "step_progress", step: `s${i}`, rows: i })).join(""));
    const rows: number[] = [];
    const tail = new EventFileTail(file, (e) => rows.push(e.type === "step_progress" ? (e.rows ?? -1) : -1), undefined, 60_000);
    await tail.stop();
    assert.equal(rows.length, count);
    assert.deepEqual(rows.slice(-2), [count - 2, count - 1]);
  });

  it("a missing file delivers nothing and does not throw", async () => {
    const events: RunEvent[] = [];
    const tail = new EventFileTail(join(dir, "never-written.jsonl"), (e) => events.push(e));
    await tail.stop();
    assert.deepEqual(events, []);
  });
});
