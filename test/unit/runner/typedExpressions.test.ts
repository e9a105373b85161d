import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransformOp } from "../../../server/src/pipeline/model";
import { compileTransforms, type Batches, type Columns } from "../../../server/src/runner/transforms";
import type { DataRecord } from "../../../server/src/sources/types";

async function* batches(records: DataRecord[]): AsyncGenerator<DataRecord[]> {
  yield records.map((r) => ({ ...r }));
}

async function apply(ops: TransformOp[], input: DataRecord[], columns?: Columns, right: { rows: DataRecord[]; columns?: Columns } = { rows: [] }): Promise<DataRecord[]> {
  const compiled = compileTransforms(ops, { columns, openUpstream: async () => ({ batches: batches(right.rows) as Batches, columns: right.columns }) });
  const rows: DataRecord[] = [];
  for await (const b of compiled.stage(batches(input))) rows.push(...b);
  return rows;
}

async function failure(ops: TransformOp[], input: DataRecord[], columns?: Columns): Promise<string> {
  try {
    await apply(ops, input, columns);
  } catch (err: unknown) {
    return (err as Error).message;
  }
  assert.fail("expected the transform to fail");
}

/** CSV-like rows: every value is text. */
const rows: DataRecord[] = [
  { order_id: "1", status: "paid", amount: "10.50" },
  { order_id: "2", status: "paid", amount: "0" },
  { order_id: "3", status: "open", amount: "7.25" },
  { order_id: "4", status: "paid", amount: "-1.5" },
  { order_id: "5", status: "paid", amount: "" },
];

describe("typed columns in expressions", () => {
  it("a cast decimal compares as a number in filter and stays exact text in the records passed on", async () => {
    const out = await apply([{ cast: { amount: "decimal" } }, { filter: "status = 'paid' and amount > 0" }], rows);
    assert.deepEqual(out, [{ order_id: "1", status: "paid", amount: "10.50" }]);
  });

  for (const type of ["decimal", "number", "integer"] as const) {
    it(`a column typed ${type} by its source (not by a cast in this step) is a number in filter and derive`, async () => {
      // An empty value (null) is missing in the view: it compares as SQL's NULL does, false.
      const input = [{ n: type === "number" ? 3 : "3" }, { n: type === "number" ? 12 : "12" }, { n: null }];
      // An integer source may also hand over an exact BigInt (beyond 2^53).
      if (type === "integer") input.push({ n: 12345678901234567890n as unknown as string });
      const out = await apply([{ filter: "n >= 10" }, { derive: { twice: "n * 2", same: "n" } }], input, { n: type });
      const big = type === "integer" ? [{ n: 12345678901234567890n, twice: Number(12345678901234567890n) * 2, same: 12345678901234567890n }] : [];
      assert.deepEqual(out, [{ n: input[1]?.n, twice: 24, same: input[1]?.n }, ...big]);
    });
  }

  it("derive computes with decimals as numbers, copies them exactly, and later derives see earlier ones", async () => {
    const out = await apply([{ derive: { cents: "amount * 100", copy: "amount", half: "cents / 2", label: "status & ':' & $string(amount)" } }], [{ status: "paid", amount: "12.30" }], { amount: "decimal", status: "string" });
    assert.deepEqual(out, [{ status: "paid", amount: "12.30", cents: 1230, copy: "12.30", half: 615, label: "paid:12.3" }]);
  });

  it("types known only after a join (its right side) reach a filter after it", async () => {
    const out = await apply([{ join: { with: "prices", on: "id", how: "inner" } }, { filter: "price > 5" }], [{ id: 1 }, { id: 2 }], { id: "integer" }, { rows: [{ id: 1, price: "9.99" }, { id: 2, price: "1.00" }], columns: { id: "integer", price: "decimal" } });
    assert.deepEqual(out, [{ id: 1, price: "9.99" }]);
  });

  it("a text column compared with a number names the comparison (not the `and` around it), the value and the fix", async () => {
    const message = await failure([{ filter: "status = 'paid' and amount > 0" }], rows);
    assert.match(message, /failed at row 1: `amount > 0` compares text "10\.50" with the number 0/);
    assert.match(message, /column `amount` is text here: `cast: \{amount: number\}` \(or `decimal`\) before this op, or write `\$number\(amount\)`/);
    assert.doesNotMatch(message, /operator "and"/);
  });

  it("the same inside nested and/or, on either side, with arithmetic, and for quoted column names", async () => {
    const cases: [string, DataRecord, RegExp][] = [
      ["status = 'x' or (order_id = '1' and (0 < amount))", rows[0] as DataRecord, /`0 < amount` compares the number 0 with text "10\.50"/],
      ["amount * 100 > 5", rows[0] as DataRecord, /`amount \* 100` needs numbers on both sides of `\*` but has text "10\.50"/],
      ["1 + `unit price` > 5", { "unit price": "2" }, /`1 \+ `unit price`` needs numbers on both sides of `\+` but has text "2"; column `unit price` is text here: .*`\$number\(`unit price`\)`/],
      ["flag > 0", { flag: true }, /`flag > 0` orders the boolean true, which JSONata cannot order/],
    ];
    for (const [filter, record, expected] of cases) assert.match(await failure([{ filter }], [record]), expected, filter);
  });

  it("an untyped exact integer beyond 2^53 gets the cast hint; typed, it compares", async () => {
    const big = { id: 12345678901234567890n };
    assert.match(await failure([{ filter: "id > 5" }], [big]), /column `id` is untyped here: `cast: \{id: number\}`/);
    assert.equal((await apply([{ filter: "id > 5" }], [big], { id: "integer" })).length, 1);
  });

  it("errors that are not type errors keep JSONata's message", async () => {
    assert.match(await failure([{ filter: "$undefinedFunction(amount)" }], rows), /failed at row 1: Attempted to invoke a non-function/);
  });
});
