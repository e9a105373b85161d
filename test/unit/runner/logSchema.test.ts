/**
 * The log's field names are defined once (server/src/runner/logSchema.ts): the README's table lists
 * exactly those, and every run event's fields, as the log listener renames them, are among them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EVENT_SHAPES, EVENT_NAMES } from "../../../server/src/runner/eventSchema";
import { logFields } from "../../../server/src/runner/logEvents";
import { LOG_FIELDS, logLineSchema } from "../../../server/src/runner/logSchema";

const README = readFileSync(join(__dirname, "../../../README.md"), "utf8");

/** The backticked names in the first column of the README's log field table. */
function readmeFields(): string[] {
  const start = README.indexOf("| field | where | meaning |");
  assert.ok(start >= 0, "the README has the log field table");
  const rows = README.slice(start).split("\n").slice(2);
  const table = rows.slice(0, rows.findIndex((l) => !l.startsWith("|")));
  return table.flatMap((row) => [...(row.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
}

describe("the log's field names", () => {
  it("the README's table lists exactly the schema's fields, each once", () => {
    const listed = readmeFields();
    assert.deepEqual([...listed].sort(), Object.keys(LOG_FIELDS).sort());
    assert.equal(new Set(listed).size, listed.length);
  });

  it("every run event's fields have a log name in the schema, none in snake_case", () => {
    for (const name of EVENT_NAMES) {
      const sample = Object.fromEntries(["event", "time", "run_id", ...Object.keys(EVENT_SHAPES[name])].map((k) => [k, k === "event" ? name : 0]));
      for (const field of Object.keys(logFields(sample as never))) {
        assert.ok(Object.hasOwn(LOG_FIELDS, field), `${name}: ${field} is not in LOG_FIELDS`);
        assert.doesNotMatch(field, /_/, `${name}: ${field}`);
      }
    }
  });

  it("a line with a field the schema does not know, or of the wrong type, is refused", () => {
    const base = { level: 30, time: 1, pid: 2, msg: "step_succeeded", runId: "r", stepId: "s", rows: 3, durationMs: 4, attempt: 1 };
    assert.ok(logLineSchema.safeParse(base).success);
    assert.ok(!logLineSchema.safeParse({ ...base, run_id: "r" }).success);
    assert.ok(!logLineSchema.safeParse({ ...base, rows: "3" }).success);
  });
});
