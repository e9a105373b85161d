import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Check } from "../../../server/src/pipeline/model";
import type { DataRecord } from "../../../server/src/sources/types";
import { hash64, KeyHashSet } from "../../../server/src/runner/checks/keyHashes";
import { checkFailure, StepChecks } from "../../../server/src/runner/checks/stepChecks";

async function* batchesOf(records: DataRecord[], size = 3): AsyncGenerator<DataRecord[]> {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
}

/** Runs `checks` over `records` as the runner does: batches through `observe`, then `finish`. */
async function judge(checks: Check[], records: DataRecord[], now = Date.now) {
  const c = new StepChecks("s", checks, { reread: async () => batchesOf(records), secrets: ["s3cret"], now });
  for await (const batch of batchesOf(records)) await c.observe(batch);
  return c.finish(records.length);
}

describe("checks over records", () => {
  it("not_null counts records with a missing, null or empty value, per column", async () => {
    const [o] = await judge([{ not_null: ["a", "b"] }], [{ a: 1, b: 2 }, { a: null, b: 2 }, { b: "" }, { a: 0, b: false }]);
    assert.deepEqual([o?.passed, o?.failed, o?.samples.map((s) => s.row)], [false, 2, [2, 3]]);
    assert.match(o?.message ?? "", /2 of 4 records have no value in `a` \(2\), `b` \(1\) \(rows 2, 3\)/);
  });

  it("unique: exact over keys of one or several columns; empty keys are not compared; 2 and \"2\" differ; a separator inside a value stays apart", async () => {
    const rows = [{ k: 1 }, { k: 2 }, { k: 1 }, { k: null }, { k: null }, { k: "2" }, { k: "" }, { k: "" }, { k: "2" }];
    const [one] = await judge([{ unique: ["k"] }], rows);
    assert.deepEqual([one?.failed, one?.samples.map((s) => s.row)], [2, [3, 9]]);
    const [two] = await judge([{ unique: ["a", "b"] }], [{ a: "x\u001fy", b: "z" }, { a: "x", b: "y\u001fz" }, { a: "x", b: "y\u001fz" }]);
    assert.deepEqual([two?.failed, two?.samples.map((s) => s.row)], [1, [3]]);
  });

  it("unique over whole numbers in and past the bitmap's range, negatives, fractions and booleans: exact counts, samples in row order", async () => {
    const rows: DataRecord[] = [];
    for (let i = 0; i < 5000; i++) rows.push({ k: i }, { k: 2 ** 40 + i }, { k: -i - 1 }, { k: i + 0.5 });
    rows.push({ k: 4999 }, { k: 2 ** 40 }, { k: -1 }, { k: 0.5 }, { k: true }, { k: true }, { k: 134217728 }, { k: 134217728 });
    const [o] = await judge([{ unique: ["k"] }], rows);
    assert.equal(o?.failed, 6);
    assert.deepEqual(o?.samples.map((s) => s.record.k), [4999, 2 ** 40, -1, 0.5, true, 134217728]);
  });

  it("unique over 200,000 keys with 1,000 repeats counts exactly the repeats", async () => {
    const rows: DataRecord[] = Array.from({ length: 200_000 }, (_, i) => ({ id: `order-${i}` }));
    for (let i = 0; i < 1000; i++) rows.push({ id: `order-${i * 7}` });
    const [o] = await judge([{ unique: ["id"] }], rows);
    assert.equal(o?.failed, 1000);
    assert.equal(o?.samples.length, 10);
  });

  it("accepted_values compares as text; nulls pass", async () => {
    const [o] = await judge([{ accepted_values: { column: "v", values: [1, "a", true] } }], [{ v: "1" }, { v: 1 }, { v: true }, { v: "a" }, { v: null }, { v: "b" }, { v: 2 }]);
    assert.deepEqual([o?.failed, o?.samples.map((s) => s.row)], [2, [6, 7]]);
  });

  it("range: numbers and numeric text inside the bounds pass; nulls pass; text that is no number fails", async () => {
    const [o] = await judge([{ range: { column: "n", min: 0, max: 10 } }], [{ n: 0 }, { n: "10" }, { n: 10.5 }, { n: -1 }, { n: null }, { n: "ten" }, { n: 5n }]);
    assert.deepEqual([o?.failed, o?.samples.map((s) => s.row)], [3, [3, 4, 6]]);
    const [max] = await judge([{ range: { column: "n", max: 1 } }], [{ n: -100 }]);
    assert.equal(max?.passed, true);
  });

  it("row_count judges the total; freshness the newest timestamp against now", async () => {
    const rows = [{ t: "2024-01-01T00:00:00Z" }, { t: "2024-01-02T00:00:00.000Z" }, { t: null }];
    const at = (iso: string) => () => Date.parse(iso);
    const [few, fresh] = await judge([{ row_count: { min: 4 } }, { freshness: { column: "t", max_age: "36h" } }], rows, at("2024-01-03T11:00:00Z"));
    assert.deepEqual([few?.passed, few?.failed], [false, 0]);
    assert.match(few?.message ?? "", /the step output 3 records; the check wants at least 4/);
    assert.equal(fresh?.passed, true);
    const [onlyMin, onlyMax] = await judge([{ row_count: { min: 1 } }, { row_count: { max: 3 } }], rows);
    assert.deepEqual([onlyMin?.passed, onlyMax?.passed], [true, true]);
    assert.match(onlyMin?.message ?? "", /the check wants at least 1$|the check wants at least 1\./);
    const [stale] = await judge([{ freshness: { column: "t", max_age: "36h" } }], rows, at("2024-01-03T13:00:00Z"));
    assert.match(stale?.message ?? "", /the newest `t` is "2024-01-02T00:00:00.000Z", 37h old; the check allows 36h/);
    const [bad] = await judge([{ freshness: { column: "t", max_age: "1h" } }], [{ t: "yesterday" }, { t: 1700000000 }]);
    assert.deepEqual([bad?.passed, bad?.failed], [false, 2]);
  });

  it("expression: false, and failing to evaluate, both fail the record", async () => {
    const [o] = await judge([{ expression: "amount >= 0 or status = 'refunded'" }], [{ amount: 1 }, { amount: -1, status: "refunded" }, { amount: -1, status: "paid" }, { amount: null, status: "paid" }]);
    assert.deepEqual([o?.failed, o?.samples.map((s) => s.row)], [2, [3, 4]]);
    assert.match(o?.message ?? "", /1 of them could not be evaluated \(row 4: /);
  });

  it("severity, labels, the step error and scrubbed samples", async () => {
    const outcomes = await judge([{ unique: ["k"], severity: "warn" }, { not_null: ["k"] }], [{ k: "s3cret-1" }, { k: "s3cret-1", note: "x".repeat(500) }, { k: null }]);
    const [warn, error] = outcomes;
    assert.deepEqual([warn?.severity, warn?.check, error?.check], ["warn", "unique: [k]", "not_null: [k]"]);
    assert.doesNotMatch(JSON.stringify(outcomes), /s3cret/);
    assert.equal(String(warn?.samples[0]?.record.note).length, 200);
    const err = checkFailure("s", outcomes);
    assert.equal(err.code, "check-failed");
    assert.match(err.message, /^2 checks failed on step `s`:\n {2}- step `s`, check 1/);
  });
});

describe("KeyHashSet", () => {
  it("adds each hash once, across growth", () => {
    const set = new KeyHashSet(4);
    const h = new Uint32Array(2);
    let added = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 50_000; i++) {
        hash64(`k${i}`, h);
        if (set.add(h[0] as number, h[1] as number)) added++;
      }
    }
    assert.equal(added, 50_000);
    assert.equal(set.size, 50_000);
    assert.ok(set.bytes <= 8 * 131_072, `${set.bytes} bytes`);
  });
});
