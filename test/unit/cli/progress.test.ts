import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EventBus, type RunEvent } from "../../../server/src/runner/events";
import { formatCount } from "../../../server/src/format/numbers";
import { printable } from "../../../server/src/controlChars";
import { fit, plainListener, TtyProgress } from "../../../server/src/cli/progress";
import { random as seeded } from "../../support/random";

describe("formatCount", () => {
  it("groups thousands exactly as toLocaleString('en-US') does", () => {
    const random = seeded(7);
    const values = [0, 1, -1, 12, 999, 1000, -1000, 999_999, 1_000_000, 1_234_567, -98_765_432, Number.MAX_SAFE_INTEGER, 1.5, -2.25, 1e21, Number.NaN, Infinity];
    for (let i = 0; i < 2000; i++) values.push(Math.floor(random() * 10 ** Math.floor(random() * 16)) * (random() < 0.2 ? -1 : 1));
    for (const n of values) assert.equal(formatCount(n), n.toLocaleString("en-US"), String(n));
  });
});

/** The last drawn block of a TtyProgress: one line per step, escapes stripped. */
function lastBlock(writes: string[], steps: number): string[] {
  const ESC = String.fromCharCode(27);
  const plain = writes.join("").replace(new RegExp(`${ESC}\\[\\d*[AK]`, "g"), "").replace(/\r/g, "");
  return plain.split("\n").filter((l) => l.trim() !== "").slice(-steps);
}

describe("the terminal view", () => {
  const started = (steps: string[]): RunEvent => ({ event: "run_started", pipeline: "p", file: "p.etl.yaml", ds: "2026-01-01", steps, resume: false, concurrency: 2, staging: ".etl" });

  it("shows a step streaming from its upstream before the scheduler reaches it, then what its load does after the last row", () => {
    const writes: string[] = [];
    const bus = new EventBus(() => "r1");
    const tty = new TtyProgress((t) => writes.push(t));
    bus.on(tty.listener);
    bus.emit(started(["read", "typed", "write"]));
    bus.emit({ event: "step_started", step: "read", kind: "extract", attempt: 1 });
    bus.emit({ event: "step_progress", step: "read", rows: 5000, rows_per_second: 10000, elapsed_ms: 500 });
    bus.tell({ event: "step_streaming", step: "typed", rows: 4000, rows_per_second: 8000, elapsed_ms: 500 });
    tty.draw();
    const [read, typed, write] = lastBlock(writes, 3);
    assert.match(read ?? "", /read\s+running\s+5,000 rows\s+10,000 rows\/s/);
    assert.match(typed ?? "", /typed\s+streaming\s+4,000 rows\s+8,000 rows\/s/);
    assert.match(write ?? "", /· write\s+waiting$/);

    bus.emit({ event: "step_succeeded", step: "read", rows: 9000, duration_ms: 900, attempts: 1 });
    bus.emit({ event: "step_started", step: "typed", kind: "transform", attempt: 1 });
    // A late streaming count does not undo the official start.
    bus.tell({ event: "step_streaming", step: "typed", rows: 1, rows_per_second: 1, elapsed_ms: 1 });
    bus.emit({ event: "step_progress", step: "typed", rows: 9000, rows_per_second: 9000, elapsed_ms: 1000 });
    bus.emit({ event: "step_succeeded", step: "typed", rows: 9000, duration_ms: 1000, attempts: 1 });
    bus.emit({ event: "step_started", step: "write", kind: "load", attempt: 1 });
    bus.tell({ event: "step_phase", step: "write", note: "all 9,000 rows sent; merging them into orders" });
    tty.draw();
    const after = lastBlock(writes, 3);
    assert.match(after[1] ?? "", /✓ typed\s+done\s+9,000 rows/);
    assert.match(after[2] ?? "", /write\s+running\s+0 rows\s+all 9,000 rows sent; merging them into orders$/);

    bus.emit({ event: "step_succeeded", step: "write", rows: 9000, duration_ms: 2000, attempts: 1 });
    tty.draw();
    const end = lastBlock(writes, 3);
    assert.match(end[2] ?? "", /✓ write\s+done\s+9,000 rows\s+4,500 rows\/s$/, "the note is gone once the step is done");
    bus.emit({ event: "run_finished", status: "succeeded", duration_ms: 2000, rows: 27000, steps: { read: "succeeded", typed: "succeeded", write: "succeeded" }, loaded: [] });
    assert.equal(writes.at(-1), "\u001b[3A\r\u001b[J", "the block gives way to the summary table printed next");
  });

  it("at the end of a failed run, erases the block (streaming rows of a step that never started included) for the table", () => {
    const writes: string[] = [];
    const bus = new EventBus(() => "r2");
    const tty = new TtyProgress((t) => writes.push(t));
    bus.on(tty.listener);
    bus.emit(started(["read", "load"]));
    bus.emit({ event: "step_started", step: "read", kind: "extract", attempt: 1 });
    bus.tell({ event: "step_streaming", step: "load", rows: 300, rows_per_second: 600, elapsed_ms: 500 });
    bus.emit({ event: "step_failed", step: "read", code: "bad-record", error: "row 301: not valid CSV\nmore", attempts: 1, duration_ms: 600, transient: false });
    tty.draw();
    const [read] = lastBlock(writes, 2);
    assert.match(read ?? "", /✖ read\s+failed\s+0 rows\s+row 301: not valid CSV$/);
    bus.emit({ event: "run_finished", status: "failed", duration_ms: 700, rows: 0, steps: { read: "failed", load: "skipped" }, loaded: [] });
    assert.equal(writes.at(-1), "\u001b[2A\r\u001b[J");
  });

  it("plain lines: the load's finishing phase is a line, streaming counts are not", () => {
    const lines: string[] = [];
    const bus = new EventBus(() => "r3");
    bus.on(plainListener((t) => lines.push(t)));
    bus.tell({ event: "step_streaming", step: "load", rows: 300, rows_per_second: 600, elapsed_ms: 500 });
    bus.tell({ event: "step_phase", step: "load", note: "all 300 rows sent; committing" });
    assert.deepEqual(lines, ["… load: all 300 rows sent; committing"]);
  });

  it("what the bus tells its listeners never reaches the events file", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-etl-bus-"));
    try {
      const bus = new EventBus(() => "r4");
      const heard: string[] = [];
      bus.on((e) => heard.push(e.event));
      bus.toFile(join(dir, "events.jsonl"));
      bus.tell({ event: "step_streaming", step: "s", rows: 1, rows_per_second: 1, elapsed_ms: 1 });
      bus.emit({ event: "step_started", step: "s", kind: "load", attempt: 1 });
      bus.tell({ event: "step_phase", step: "s", note: "committing" });
      bus.close();
      assert.deepEqual(heard, ["step_streaming", "step_started", "step_phase"]);
      const written = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { event: string; run_id: string }));
      assert.deepEqual(written.map((e) => [e.event, e.run_id]), [["step_started", "r4"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the terminal view's rows", () => {
  it("fit one terminal row: cut with … to the width, control characters made harmless", () => {
    assert.equal(fit("short", 80), "short");
    assert.equal(fit("x".repeat(100), 40), `${"x".repeat(38)}…`);
    assert.equal(Array.from(fit("✓ é".repeat(50), 30)).length, 29);
    assert.equal(fit("evil\u001b[2Jtext\rmore\u009bx", undefined), "evil [2Jtext more x");
    assert.equal(fit("x".repeat(500), undefined).length, 500, "no width known: nothing cut");
    // Wide characters take two columns: 19 of them (38 columns) and the ellipsis fill 39.
    assert.equal(fit("表".repeat(60), 40), `${"表".repeat(19)}…`);
    assert.equal(fit("表".repeat(19), 40), "表".repeat(19), "fits whole: not cut");
    assert.equal(fit(`ok 😀${"x".repeat(40)}`, 12), "ok 😀xxxxx…");
  });

  it("printable keeps line breaks and shows every other control character as a space", () => {
    assert.equal(printable("path data/\u001b[2J\u001b[31mred.csv\nnext line\u0007"), "path data/ [2J [31mred.csv\nnext line ");
  });

  it("draws each step on exactly one row of a narrow terminal, and erases its block for a log line", () => {
    const writes: string[] = [];
    const bus = new EventBus(() => "r5");
    const tty = new TtyProgress((t) => writes.push(t), () => 40);
    bus.on(tty.listener);
    bus.emit({ event: "run_started", pipeline: "p", file: "p.etl.yaml", ds: "2026-01-01", steps: ["a", "b"], resume: false, concurrency: 2, staging: ".etl" });
    bus.emit({ event: "step_started", step: "a", kind: "extract", attempt: 1 });
    bus.emit({ event: "step_failed", step: "a", code: "bad-record", error: `${"a very long reason ".repeat(10)}\nsecond line`, attempts: 1, duration_ms: 5, transient: false });
    tty.draw();
    const block = writes.at(-1) ?? "";
    const rows = block.split("\n").slice(0, -1);
    assert.equal(rows.length, 2);
    for (const row of rows) assert.ok(Array.from(row.split("\u001b[2K").pop() ?? "").length <= 39, row);
    tty.erase();
    assert.equal(writes.at(-1), "\u001b[2A\r\u001b[J", "up over the two rows, then clear to the end of the screen");
    tty.draw();
    assert.ok(!(writes.at(-1) ?? "").includes("\u001b[2A"), "drawn again below whatever was written, not over it");
    bus.emit({ event: "run_finished", status: "failed", duration_ms: 9, rows: 0, steps: { a: "failed", b: "skipped" }, loaded: [] });
    const count = writes.length;
    tty.erase();
    assert.equal(writes.length, count, "once the run is over, a log line erases nothing");
  });
});
