import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EventLineBuffer, isBadLine, parseEventLine, type RunEvent } from "../../../client/src/run/events";
import { EVENT_NAMES, EVENT_SHAPES, isEventName } from "../../../server/src/runner/eventSchema";

const line = (o: unknown): string => JSON.stringify(o) + "\n";

describe("run events stream", () => {
  it("reads the runner's own event shapes", () => {
    const e = parseEventLine(JSON.stringify({ event: "step_succeeded", step: "load", rows: 42, duration_ms: 1200, attempts: 1, time: "2026-01-02T03:04:05.000Z", run_id: "r1" }));
    assert.deepEqual(e, { type: "step_succeeded", stepId: "load", rows: 42, durationMs: 1200, time: Date.parse("2026-01-02T03:04:05.000Z") });
    const f = parseEventLine(JSON.stringify({ event: "step_failed", step: "load", code: "E_PG", error: "relation missing", attempts: 3, duration_ms: 5, transient: false }));
    assert.equal(f && !isBadLine(f) && f.type === "step_failed" ? f.error : undefined, "relation missing");
    const r = parseEventLine(JSON.stringify({ event: "run_finished", status: "failed", duration_ms: 9, rows: 3, steps: { a: "succeeded", b: "failed", c: "skipped" }, run_id: "r1" }));
    assert.deepEqual(r && !isBadLine(r) && r.type === "run_finished" ? [r.status, r.runId, r.steps, r.loaded] : undefined, ["failed", "r1", { a: "succeeded", b: "failed", c: "skipped" }, null]);
    const loaded = parseEventLine(JSON.stringify({ event: "run_finished", status: "succeeded", loaded: [{ step: "l", target: "file:/o.csv", rows: 2 }] }));
    assert.deepEqual(loaded && !isBadLine(loaded) && loaded.type === "run_finished" ? loaded.loaded : undefined, [{ stepId: "l", target: "file:/o.csv", rows: 2 }]);
    const junk = parseEventLine(JSON.stringify({ event: "run_finished", status: "succeeded", loaded: [{ step: "bad" }, "junk"] }));
    assert.ok(isBadLine(junk) && /`loaded\./.test(junk.reason), JSON.stringify(junk));
  });

  it("reads the one events schema: other spellings and mistyped fields are bad lines, unknown event types are ignored", () => {
    const spelled = parseEventLine(JSON.stringify({ type: "step_progress", stepId: "x", records: 7 }));
    assert.ok(isBadLine(spelled));
    assert.match(spelled.reason, /no `event` field/);
    const mistyped = parseEventLine(JSON.stringify({ event: "step_succeeded", step: "x", rows: "7" }));
    assert.ok(isBadLine(mistyped));
    assert.match(mistyped.reason, /`rows`/);
    assert.deepEqual(parseEventLine(JSON.stringify({ event: "step_progress", step: "x", rows: 7 })), { type: "step_progress", stepId: "x", rows: 7, time: null });
    assert.equal(parseEventLine(JSON.stringify({ event: "heartbeat" })), undefined);
    assert.equal(parseEventLine("   "), undefined);
  });

  it("reports bad lines as values, never throws", () => {
    const bad = parseEventLine("{not json");
    assert.ok(isBadLine(bad));
    assert.match(bad.reason, /not JSON/);
    assert.ok(isBadLine(parseEventLine("[1,2]")));
    const noStep = parseEventLine(JSON.stringify({ event: "step_started" }));
    assert.ok(isBadLine(noStep));
    assert.match(noStep.reason, /without a step id/);
  });

  it("keeps a partial last line until its newline arrives, across byte chunks", () => {
    const buffer = new EventLineBuffer();
    const text = line({ event: "run_started", run_id: "r", pipeline: "p", steps: ["a", "b"] }) + line({ event: "step_started", step: "ä_step" });
    const bytes = new TextEncoder().encode(text);
    const out: RunEvent[] = [];
    // Split inside the two-byte "ä" to prove the streaming decoder keeps it whole.
    const cut = bytes.indexOf(0xc3) + 1;
    for (const chunk of [bytes.subarray(0, 10), bytes.subarray(10, cut), bytes.subarray(cut)]) {
      for (const e of buffer.push(chunk)) if (!isBadLine(e)) out.push(e);
    }
    assert.deepEqual(out.map((e) => e.type), ["run_started", "step_started"]);
    assert.equal(out[1]?.type === "step_started" ? out[1].stepId : "", "ä_step");
    assert.deepEqual(out[0]?.type === "run_started" ? out[0].steps : null, ["a", "b"]);
  });

  it("flushes an unterminated final line at the end", () => {
    const buffer = new EventLineBuffer();
    assert.deepEqual(buffer.push('{"event":"run_finished","status":"succeeded"'), []);
    assert.deepEqual(buffer.push("}").length, 0);
    const [last] = buffer.end();
    assert.equal(last && !isBadLine(last) ? last.type : "", "run_finished");
  });
});

describe("the --events contract in the docs", () => {
  it("lists every event of the schema with exactly its fields", () => {
    const spec = readFileSync(join(__dirname, "..", "..", "..", "docs", "pipeline-spec.md"), "utf8");
    const rows = new Map([...spec.matchAll(/^\| `([a-z_]+)` \| (.+) \|$/gm)].filter((m) => isEventName(m[1])).map((m) => [m[1] as string, m[2] as string]));
    assert.deepEqual([...rows.keys()], EVENT_NAMES);
    for (const name of EVENT_NAMES) {
      const documented = [...(rows.get(name) ?? "").replace(/ \([^)]*\)/g, "").matchAll(/(?:^|, )`([a-z_]+)`/g)].map((m) => m[1]);
      assert.deepEqual(documented, Object.keys(EVENT_SHAPES[name]), `fields of ${name}`);
    }
  });
});
