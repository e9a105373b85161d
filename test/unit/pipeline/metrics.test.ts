import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMetric } from "../../../server/src/pipeline/metrics";
import { compileTransforms, type Batches } from "../../../server/src/runner/transforms";
import { parseMetrics } from "../../../server/src/runner/transforms/aggregate";
import { check, VALID } from "../helpers";

/** Texts on both sides of the grammar's edges: spaces, tabs, empty parentheses, nesting, unknown functions. */
const TEXTS = [
  "count()", "count( )", " count() ", "count(\t)", "count(x)", "count",
  "sum(amount)", "sum( amount )", "sum(\tamount\t)", " avg(amount) ", "min(a b)", "max((a))", "max()",
  "total(amount)", "SUM(amount)", "sum(amount) x", "sum(amount))",
];

function validatesAsMetric(text: string): boolean {
  const agg = VALID.replace("- select: [id, amount]", `- aggregate: {group_by: [id], metrics: {n: ${JSON.stringify(text)}}}`);
  return !check(agg).some((p) => p.code === "schema" && /is not a metric/.test(p.message));
}

function runsAsMetric(text: string): boolean {
  try {
    parseMetrics({ n: text });
    return true;
  } catch {
    return false;
  }
}

describe("one metric grammar", () => {
  it("the schema, the runner and the parser accept exactly the same texts", () => {
    for (const text of TEXTS) {
      const parsed = parseMetric(text) !== undefined;
      assert.equal(validatesAsMetric(text), parsed, `validate vs grammar on ${JSON.stringify(text)}`);
      assert.equal(runsAsMetric(text), parsed, `run vs grammar on ${JSON.stringify(text)}`);
    }
    assert.ok(TEXTS.some((t) => parseMetric(t) === undefined), "the list has texts the grammar refuses");
  });

  it("finds the column and where it stands in the text", () => {
    assert.deepEqual(parseMetric("sum( amount )"), { fn: "sum", column: "amount", columnOffset: 5 });
    assert.deepEqual(parseMetric("count( )"), { fn: "count" });
  });

  it("a metric written with spaces computes the same as without", async () => {
    const rows = [{ k: "a", v: 1 }, { k: "a", v: 2 }, { k: "b", v: 5 }];
    const run = async (metrics: Record<string, string>) => {
      const t = compileTransforms([{ aggregate: { group_by: ["k"], metrics } }], { columns: { v: "integer" }, openUpstream: () => Promise.reject(new Error("no join")) });
      const out = [];
      for await (const b of t.stage((async function* () { yield rows.map((r) => ({ ...r })); })() as Batches)) out.push(...b);
      return out;
    };
    assert.deepEqual(await run({ n: "count( )", s: "sum( v )" }), await run({ n: "count()", s: "sum(v)" }));
  });
});
