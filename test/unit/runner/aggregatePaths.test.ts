/**
 * aggregate's short paths (numbers summed as doubles, text compared as text, one text column as its
 * own group key) must give what the general rules give once a value of another kind arrives.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aggregateStage, type AggregateSpec } from "../../../server/src/runner/transforms/aggregate";
import type { DataRecord } from "../../../server/src/sources/types";

async function aggregate(spec: AggregateSpec, records: DataRecord[]): Promise<DataRecord[]> {
  async function* input(): AsyncGenerator<DataRecord[]> {
    for (let i = 0; i < records.length; i += 2) yield records.slice(i, i + 2);
  }
  const out: DataRecord[] = [];
  for await (const batch of aggregateStage(spec)(input())) out.push(...batch);
  return out;
}

describe("aggregate short paths", () => {
  it("text then decimal text: the decimal text then compares as a number", async () => {
    const rows = await aggregate({ group_by: [], metrics: { lo: "min(v)", hi: "max(v)" } }, [{ v: "abc" }, { v: "9" }, { v: "10" }, { v: "100" }, { v: "zed" }]);
    // "9" < "abc" as text; then 10 and 100 compare with 9 as numbers (not "10" < "9" as text).
    assert.deepEqual(rows, [{ lo: "9", hi: "zed" }]);
  });

  it("numbers then decimal text or BigInts: sums stay as the general rules make them", async () => {
    const spec = { group_by: [], metrics: { s: "sum(v)", a: "avg(v)" } };
    assert.deepEqual(await aggregate(spec, [{ v: 1 }, { v: "0.10" }, { v: "0.20" }]), [{ s: 1.3, a: 1.3 / 3 }]);
    assert.deepEqual(await aggregate(spec, [{ v: "0.10" }, { v: "0.20" }]), [{ s: "0.30", a: (0.1 + 0.2) / 2 }]);
    assert.deepEqual(await aggregate(spec, [{ v: 2 ** 52 }, { v: 10n ** 20n }, { v: 1 }]), [{ s: 10n ** 20n + 2n ** 52n + 1n, a: (2 ** 52 + 1e20 + 1) / 3 }]);
    assert.deepEqual(await aggregate(spec, [{ v: 10n ** 20n }, { v: 0.5 }]), [{ s: 1e20 + 0.5, a: (1e20 + 0.5) / 2 }]);
    await assert.rejects(aggregate(spec, [{ v: 1 }, { v: Number.NaN }]), /sum\(v\) at row 2: value .* is not a number/);
  });

  it("one group column: text, numbers and null keep the groups keyOf makes", async () => {
    const rows = await aggregate({ group_by: ["g"], metrics: { n: "count()" } }, [{ g: "1" }, { g: 1 }, { g: null }, { g: "\u0000x" }, {}, { g: "a" }, { g: { k: 1 } }, { g: '{"k":1}' }]);
    assert.deepEqual(rows, [{ g: "1", n: 2 }, { g: null, n: 2 }, { g: "\u0000x", n: 1 }, { g: "a", n: 1 }, { g: { k: 1 }, n: 2 }]);
  });
});
