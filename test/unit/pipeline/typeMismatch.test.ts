import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { quickFixes } from "../../../server/src/pipeline/quickFixes";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { check, yaml } from "../helpers";

/** A pipeline reading `source` (an extract's map, flow style) and transforming it with `ops` (lines). */
function pipeline(source: string, ops: string[], more: string[] = []): string {
  return yaml(
    "version: 1",
    "name: p",
    "connections:",
    "  raw: {type: file}",
    "  lake: {type: s3, bucket: b}",
    "  db: {type: postgres, url: postgres://h/d}",
    "steps:",
    "  - id: orders",
    `    extract: ${source}`,
    "  - id: t",
    "    depends_on: [orders]",
    "    transform:",
    ...ops.map((op) => `      - ${op}`),
    ...more,
  );
}

const mismatches = (text: string) => check(text).filter((p) => p.code === "type-mismatch");

describe("type-mismatch", () => {
  it("a CSV column compared with a number before a cast: on the column, with both fixes named", () => {
    const text = pipeline("{connection: raw, path: orders.csv}", [`filter: "status = 'paid' and amount > 0"`, "cast: {amount: decimal}"]);
    const [p, ...rest] = mismatches(text);
    assert.equal(rest.length, 0);
    assert.equal(p?.severity, "warning");
    assert.equal(p?.text, "amount");
    assert.equal(p?.range, "13:38-13:44");
    assert.match(p?.message ?? "", /^column `amount` is text here \(CSV values are text until cast\), so `amount > 0` fails at run time/);
    assert.match(p?.message ?? "", /`cast: \{amount: number\}` .* before this op, or write `\$number\(amount\)`/);
  });

  it("every CSV source: a file glob, an explicit format, an S3 key (gzipped too); not JSON, PostgreSQL or an unknown format", () => {
    const op = [`filter: "qty >= 2"`];
    for (const source of ["{connection: raw, path: 'in/*.csv'}", "{connection: raw, path: orders.txt, format: csv}", "{connection: lake, key: raw/orders.csv}", "{connection: lake, key: 'raw/{{ ds }}/*.CSV.gz'}"]) {
      assert.equal(mismatches(pipeline(source, op)).length, 1, source);
    }
    for (const source of ["{connection: raw, path: orders.jsonl}", "{connection: raw, path: orders.csv, format: json}", "{connection: lake, key: raw/orders.json}", "{connection: db, table: orders}", "{connection: raw, path: orders}"]) {
      assert.equal(mismatches(pipeline(source, op)).length, 0, source);
    }
  });

  it("follows the types through ops and steps: cast, rename, derive, select, aggregate, a second transform, a join", () => {
    const csv = "{connection: raw, path: orders.csv}";
    const count = (ops: string[], more: string[] = []) => mismatches(pipeline(csv, ops, more)).length;
    assert.equal(count(["cast: {amount: number}", `filter: "amount > 0"`]), 0, "cast first");
    assert.equal(count(["cast: {amount: string}", `filter: "amount > 0"`]), 1, "cast to string");
    assert.equal(count(["rename: {amount: total}", `filter: "total > 0"`]), 1, "renamed text is text");
    assert.equal(count(["cast: {amount: number}", "rename: {amount: total}", `filter: "total > 0"`]), 0);
    assert.equal(count([`derive: {n: "$number(amount)", s: "amount & 'x'"}`, `filter: "n > 0 and s = 1"`]), 1, "derived types");
    assert.equal(count(["select: [amount]", `filter: "amount > 1"`]), 1);
    assert.equal(count(["aggregate: {group_by: [country], metrics: {n: count()}}", `filter: "n > 1 and country = 'FI'"`]), 0);
    assert.equal(count(["aggregate: {group_by: [country], metrics: {n: count()}}", `filter: "country > 1"`]), 1);
    assert.equal(count([`filter: "x = 1"`], ["  - id: u", "    depends_on: [t]", "    transform:", `      - filter: "amount < 5"`]), 2, "downstream step");
    assert.equal(count(["join: {with: orders, on: id}", `filter: "amount > 0"`]), 0, "after a join nothing is certain");
    assert.equal(count([`filter: "$number(amount) > 0 and amount = '5' and items[price > 1]"`]), 0, "converted, text vs text, a nested path");
  });

  it("arithmetic on a text column, and a numeric column compared with a quoted number", () => {
    const [a] = mismatches(pipeline("{connection: raw, path: orders.csv}", [`derive: {cents: "amount * 100"}`]));
    assert.match(a?.message ?? "", /`amount \* 100` fails at run time: JSONata computes only with numbers/);
    const [b] = mismatches(pipeline("{connection: raw, path: orders.csv}", ["cast: {amount: decimal}", `filter: "amount = '10'"`]));
    assert.match(b?.message ?? "", /column `amount` is a decimal here and '10' is text, so `amount = '10'` is never true; write the number without quotes/);
  });

  it("quick fixes: a cast op before the op, and $number(...); each leaves no mismatch and a valid file", () => {
    const text = pipeline("{connection: raw, path: orders.csv}", ["select: [status, `unit price`]".replace(/`/g, "'"), `filter: "status = 'paid' and \`unit price\` > 0"`]);
    const result = validatePipeline(text);
    const problem = result.problems.find((p) => p.code === "type-mismatch");
    assert.ok(problem);
    const fixes = quickFixes(text, result.outline, problem);
    assert.deepEqual(fixes.map((f) => f.title), ["Cast `unit price` to number before this op", "Write `$number(`unit price`)`"]);
    for (const fix of fixes) {
      const fixed = fix.edits.reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
      const after = validatePipeline(fixed);
      assert.deepEqual(after.problems.filter((p) => p.severity !== "hint").map((p) => p.code), [], fixed);
      assert.ok(after.pipeline, fixed);
    }
    const cast = fixes[0]?.edits[0]?.newText;
    assert.equal(cast, `cast: {"unit price": number}\n      - `);
  });
});
