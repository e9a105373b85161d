import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { propagateColumns, unknownColumns, type Column } from "../../../server/src/pipeline/columns";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { check, codes, expectProblem, locate, VALID, yaml } from "../helpers";

/** VALID with `checks:` lines added to its transform step `paid`. */
const withChecks = (...lines: string[]) => VALID.replace("      - select: [id, amount]\n", `      - select: [id, amount]\n    checks:\n${lines.map((l) => `      - ${l}\n`).join("")}`);

describe("checks: every form validates", () => {
  it("accepts each check form, with and without severity", () => {
    const text = withChecks(
      "not_null: [id, amount]",
      "unique: [id]",
      "accepted_values: {column: amount, values: [1, two, true]}",
      "range: {column: amount, min: 0, max: 100000}",
      "range: {column: amount, max: 10}",
      "row_count: {min: 1, max: 5000000}",
      "freshness: {column: amount, max_age: 36h}",
      `expression: "amount >= 0 or id = 'x'"`,
      "{unique: [amount], severity: warn}",
    );
    assert.deepEqual(check(text), []);
    const step = validatePipeline(text).pipeline?.steps[1];
    assert.equal(step?.checks?.length, 9);
    assert.deepEqual(step?.checks?.[8], { unique: ["amount"], severity: "warn" });
  });

  it("two kinds in one check: on the second key, saying to split them", () => {
    const p = expectProblem(withChecks("{not_null: [id], unique: [id]}"), "schema", 20, 26, 20, 32);
    assert.match(p.message, /a check tests one thing, but this one has `not_null` and `unique`/);
  });

  it("no kind (only severity), or a misspelt kind: names the kinds, with did-you-mean", () => {
    assert.match(expectProblem(withChecks("{severity: warn}"), "schema", 20, 10, 20, 18).message, /a check needs one of `not_null`, `unique`, .* or `expression`/);
    assert.match(check(withChecks("uniqe: [id]")).map((p) => p.message).join("\n"), /did you mean `unique`\?/);
  });

  it("range and row_count need a bound; bad duration; bad severity", () => {
    assert.match(expectProblem(withChecks("range: {column: amount}"), "schema", 20, 9, 20, 14).message, /`range` needs `min` or `max`/);
    assert.match(expectProblem(withChecks("row_count: {}"), "schema", 20, 9, 20, 18).message, /needs `min` or `max`/);
    assert.match(expectProblem(withChecks("freshness: {column: amount, max_age: 2 days}"), "schema", 20, 46, 20, 52).message, /is not a duration/);
    assert.match(expectProblem(withChecks("{unique: [id], severity: fatal}"), "schema", 20, 34, 20, 39).message, /`error` or `warn`, not `fatal`/);
  });

  it("a check expression that does not parse is invalid-expression, at the error", () => {
    const p = expectProblem(withChecks(`expression: "amount >"`), "invalid-expression", 20, 29, 20, 30);
    assert.match(p.message, /invalid check expression/);
  });

  it("checks on a load or sql step: checks-placement on the key, naming the step to move them to", () => {
    const text = VALID + "    checks:\n      - row_count: {min: 1}\n";
    const p = expectProblem(text, "checks-placement", 24, 5, 24, 11);
    assert.match(p.message, /a `load` step outputs none; move them to the step it loads from \(`paid`\)/);
    assert.deepEqual(codes(VALID.replace("  - id: save\n", "    checks: [{row_count: {min: 1}}]\n  - id: save\n")), []);
  });
});

describe("checks: column references (unknown-column)", () => {
  const SOURCE: Column[] = [{ name: "id", type: "integer" }, { name: "amount", type: "decimal" }, { name: "status", type: "string" }];
  const problems = (text: string) => {
    const v = validatePipeline(text);
    return locate(text, unknownColumns(propagateColumns(v.outline, v.dag, new Map([["orders", SOURCE]]))));
  };

  it("names in every check form are checked against the step's own output", () => {
    const text = withChecks(
      "not_null: [id, amout]",
      "unique: [status]",
      "accepted_values: {column: stauts, values: [a]}",
      "range: {column: amount, min: 0}",
      "freshness: {column: created_at, max_age: 1h}",
      `expression: "amont > 0"`,
    );
    const found = problems(text).map((p) => `${p.range} ${p.text}`);
    // `status` is dropped by the step's `select: [id, amount]`: the checks see the output, not the input.
    assert.deepEqual(found, ["20:24-20:29 amout", "21:18-21:24 status", "22:35-22:41 stauts", "24:29-24:39 created_at", "25:22-25:27 amont"]);
    assert.match(problems(text)[0]?.message ?? "", /column `amout` is not in the output of step `paid` \(what its checks test\) — did you mean `amount`\?/);
  });

  it("checks on an extract test the source's columns; unknown sources give no warning", () => {
    const text = yaml(
      "version: 1",
      "name: p",
      "connections:",
      "  db: {type: postgres, url: postgres://localhost/db}",
      "steps:",
      "  - id: orders",
      "    extract: {connection: db, table: public.orders}",
      "    checks: [{not_null: [id, nope]}]",
    );
    assert.deepEqual(problems(text).map((p) => p.text), ["nope"]);
    const v = validatePipeline(text);
    assert.deepEqual(unknownColumns(propagateColumns(v.outline, v.dag, new Map())), []);
  });
});
