import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransformOp } from "../../../server/src/pipeline/model";
import { compileTransforms, type Batches, type Columns } from "../../../server/src/runner/transforms";
import type { DataRecord } from "../../../server/src/sources/types";

async function* batches(records: DataRecord[], size = 3): AsyncGenerator<DataRecord[]> {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size).map((r) => ({ ...r }));
}

async function apply(ops: TransformOp[], input: DataRecord[], upstream: Record<string, DataRecord[]> = {}, columns?: Columns): Promise<{ rows: DataRecord[]; columns: Columns | undefined }> {
  const compiled = compileTransforms(ops, {
    columns,
    openUpstream: async (id) => ({ batches: batches(upstream[id] ?? []) as Batches, columns: undefined }),
  });
  const rows: DataRecord[] = [];
  for await (const b of compiled.stage(batches(input))) rows.push(...b);
  return { rows, columns: compiled.columns() };
}

/** A small deterministic data set. */
function orders(n: number): DataRecord[] {
  return Array.from({ length: n }, (_, i) => ({ id: String(i + 1), customer: String((i * 7) % 5), amount: String(((i * 37) % 100) + 0.5), country: ["DE", "FR", "US"][i % 3] }));
}

describe("transforms", () => {
  it("cast converts and keeps empty cells as null", async () => {
    const { rows, columns } = await apply([{ cast: { id: "integer", amount: "number", ok: "boolean", day: "date", at: "timestamp", price: "decimal" } }], [
      { id: " 7 ", amount: "1.5", ok: "yes", day: "2024-02-29", at: "2024-01-02 03:04:05Z", price: "10.10" },
      { id: "", amount: null, ok: "0", day: "", at: "", price: "" },
    ]);
    assert.deepEqual(rows, [
      { id: 7, amount: 1.5, ok: true, day: "2024-02-29", at: "2024-01-02T03:04:05.000Z", price: "10.10" },
      { id: null, amount: null, ok: false, day: null, at: null, price: null },
    ]);
    assert.equal(columns?.id, "integer");
  });

  it("a failing cast names the row and the value", async () => {
    const input = [{ amount: "1" }, { amount: "2" }, { amount: "2" }, { amount: "12,5" }];
    await assert.rejects(apply([{ filter: "true" }, { cast: { amount: "number" } }], input), (err: Error) => {
      assert.match(err.message, /cast failed at row 4 \(transform op 2\): column `amount` value "12,5" is not a number/);
      return true;
    });
    await assert.rejects(apply([{ cast: { day: "date" } }], [{ day: "2023-02-30" }]), /row 1.*"2023-02-30" is not a real calendar date/);
  });

  it("select, drop, rename, dedupe and limit", async () => {
    const input = orders(10);
    assert.deepEqual((await apply([{ select: ["country", "id"] }, { limit: 2 }], input)).rows, [{ country: "DE", id: "1" }, { country: "FR", id: "2" }]);
    assert.deepEqual(Object.keys((await apply([{ drop: ["amount"] }, { rename: { id: "order_id" } }], input)).rows[0] ?? {}), ["order_id", "customer", "country"]);
    const deduped = (await apply([{ dedupe: ["country"] }], input)).rows.map((r) => r.id);
    assert.deepEqual(deduped, ["1", "2", "3"]);
    assert.equal((await apply([{ limit: 0 }], input)).rows.length, 0);
  });

  it("filter and derive evaluate JSONata per record", async () => {
    const { rows } = await apply([{ cast: { amount: "number" } }, { filter: 'amount > 50 and country != "US"' }, { derive: { cents: "amount * 100", tag: "$lowercase(country)" } }], orders(12));
    const expected = orders(12)
      .map((r): DataRecord => ({ ...r, amount: Number(r.amount) }))
      .filter((r) => (r.amount as number) > 50 && r.country !== "US")
      .map((r) => ({ ...r, cents: (r.amount as number) * 100, tag: String(r.country).toLowerCase() }));
    assert.deepEqual(rows, expected);
  });

  it("join matches a nested-loop join computed independently (inner and left, null keys never match)", async () => {
    const left = [...orders(20), { id: "x", customer: null, amount: "1", country: "DE" }];
    const customers = [{ customer: "0", name: "zero", country: "ZZ" }, { customer: "1", name: "one" }, { customer: "1", name: "uno" }, { customer: "3", name: "three" }, { customer: null, name: "nobody" }];
    for (const how of ["inner", "left"] as const) {
      const { rows } = await apply([{ join: { with: "customers", on: "customer", how } }], left, { customers });
      const expected: DataRecord[] = [];
      for (const l of left) {
        const matches = customers.filter((c) => c.customer !== null && l.customer !== null && c.customer === l.customer);
        for (const m of matches) expected.push({ ...l, name: m.name, customers_country: m.country ?? null });
        if (matches.length === 0 && how === "left") expected.push({ ...l, name: null, customers_country: null });
      }
      assert.deepEqual(rows, expected, how);
    }
  });

  it("join on differently named columns", async () => {
    const { rows } = await apply([{ join: { with: "c", on: { customer: "cid" }, how: "inner" } }], [{ customer: 1 }, { customer: 2 }], { c: [{ cid: "2", n: "b" }] });
    assert.deepEqual(rows, [{ customer: 2, n: "b" }]);
  });

  it("aggregate matches sums computed independently", async () => {
    const input = orders(101);
    const { rows, columns } = await apply([{ cast: { amount: "number" } }, { aggregate: { group_by: ["country"], metrics: { n: "count()", total: "sum(amount)", lo: "min(amount)", hi: "max(amount)", mean: "avg(amount)" } } }], input, {}, undefined);
    const expected = new Map<string, { n: number; total: number; lo: number; hi: number }>();
    for (const r of input) {
      const a = Number(r.amount);
      const g = expected.get(String(r.country)) ?? { n: 0, total: 0, lo: Infinity, hi: -Infinity };
      expected.set(String(r.country), { n: g.n + 1, total: g.total + a, lo: Math.min(g.lo, a), hi: Math.max(g.hi, a) });
    }
    assert.equal(rows.length, expected.size);
    for (const row of rows) {
      const e = expected.get(String(row.country));
      assert.ok(e);
      assert.equal(row.n, e.n);
      assert.ok(Math.abs((row.total as number) - e.total) < 1e-9);
      assert.equal(row.lo, e.lo);
      assert.equal(row.hi, e.hi);
      assert.ok(Math.abs((row.mean as number) - e.total / e.n) < 1e-9);
    }
    assert.deepEqual(columns, { n: "integer", total: "number", lo: "number", hi: "number", mean: "number" });
  });

  it("aggregate without groups gives one record even for no input, and names a non-number", async () => {
    assert.deepEqual((await apply([{ aggregate: { group_by: [], metrics: { n: "count()", s: "sum(x)" } } }], [])).rows, [{ n: 0, s: null }]);
    await assert.rejects(apply([{ aggregate: { group_by: [], metrics: { s: "sum(x)" } } }], [{ x: "1" }, { x: "abc" }]), /sum\(x\) at row 2: value "abc" is not a number/);
  });
});

describe("decimal aggregates", () => {
  it("sums decimal text exactly and orders it numerically", async () => {
    const input = [{ g: "a", v: "0.1" }, { g: "a", v: "0.2" }, { g: "a", v: "10.05" }, { g: "a", v: "-0.350" }, { g: "b", v: "9.5" }, { g: "b", v: "10" }];
    const { rows, columns } = await apply([{ cast: { v: "decimal" } }, { aggregate: { group_by: ["g"], metrics: { total: "sum(v)", lo: "min(v)", hi: "max(v)" } } }], input);
    assert.deepEqual(rows, [
      { g: "a", total: "10.000", lo: "-0.350", hi: "10.05" },
      { g: "b", total: "19.5", lo: "9.5", hi: "10" },
    ]);
    assert.equal(columns?.total, "decimal");
    const float = (await apply([{ cast: { v: "number" } }, { aggregate: { group_by: [], metrics: { total: "sum(v)" } } }], [{ v: "0.1" }, { v: "0.2" }])).rows[0]?.total;
    assert.equal(typeof float, "number");
  });
});
