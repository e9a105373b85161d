// The ahead-of-time schema validators must be current and report exactly what ajv compiles at run time.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { generatedValidators } from "../../../server/src/pipeline/validators/generateValidators";
import { compileValidators, validators } from "../../../server/src/pipeline/validators/schemaValidators";

const GENERATED_PATH = resolve(__dirname, "../../../server/src/pipeline/validators/schemaValidators.generated.ts");
const STEPS = [
  "{id: a, extract: {connection: db, table: t}}",
  "{id: Bad-Id, retries: 99, extract: {connection: 1}, transform: []}",
  "{id: c, transform: [{select: [a], drop: [b]}, {join: {with: x, how: outer}}, {limit: -1}]}",
  "{id: d, load: {connection: wh, mode: merge}}",
  "{id: e, depends_on: 3, sql: {query: 1}, unknown_key: 1}",
  "[not, a, map]",
  "null",
];

describe("ahead-of-time schema validators", () => {
  it("are generated from the current schema", () => {
    const wanted = generatedValidators();
    if (process.env["UPDATE_GENERATED"] === "1") writeFileSync(GENERATED_PATH, wanted);
    const stale = "stale: regenerate with `UPDATE_GENERATED=1 node --import tsx --test test/unit/pipeline/schemaValidators.test.ts`";
    assert.equal(readFileSync(GENERATED_PATH, "utf8"), wanted, stale);
  });

  it("report the same errors as validators compiled at run time", () => {
    const ahead = validators();
    const now = compileValidators();
    for (const text of STEPS) {
      const data: unknown = parse(text);
      assert.equal(ahead.step(data), now.step(data), text);
      assert.deepEqual(ahead.step.errors, now.step.errors, text);
    }
    const top = parse("version: 2\nname: X\nsteps: []\nextra: 1\nconnections: {db: {type: mysql}}\n") as unknown;
    assert.equal(ahead.topLevel(top), now.topLevel(top));
    assert.deepEqual(ahead.topLevel.errors, now.topLevel.errors);
  });
});
