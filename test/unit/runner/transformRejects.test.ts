/** `on_error: quarantine` inside the transform ops: which records are rejected, with what, and what goes on. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransformOp } from "../../../server/src/pipeline/model";
import { allowedRejects } from "../../../server/src/runner/quarantine";
import { compileTransforms, type Batches, type Rejection } from "../../../server/src/runner/transforms";
import type { DataRecord } from "../../../server/src/sources/types";

async function* batches(records: DataRecord[], size = 2): AsyncGenerator<DataRecord[]> {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size).map((r) => ({ ...r }));
}

async function apply(ops: TransformOp[], input: DataRecord[]): Promise<{ rows: DataRecord[]; rejected: Rejection[] }> {
  const rejected: Rejection[] = [];
  const compiled = compileTransforms(ops, {
    columns: undefined,
    openUpstream: async () => ({ batches: batches([]) as Batches, columns: undefined }),
    rejects: { reject: (r) => rejected.push(r) },
  });
  const rows: DataRecord[] = [];
  for await (const b of compiled.stage(batches(input))) rows.push(...b);
  return { rows, rejected };
}

describe("transform rejects (on_error: quarantine)", () => {
  it("a cast leaves out the records it cannot convert and hands them on with the column, value and reason", async () => {
    const input = [{ id: "1", n: "5" }, { id: "2", n: "x" }, { id: "3", n: "7" }, { id: "4", n: "8" }, { id: "oops", n: "9" }];
    const { rows, rejected } = await apply([{ cast: { id: "integer", n: "integer" } }], input);
    assert.deepEqual(rows, [{ id: 1, n: 5 }, { id: 3, n: 7 }, { id: 4, n: 8 }]);
    assert.deepEqual(
      rejected.map((r) => ({ op: r.op, row: r.row, column: r.column, value: r.value, reason: r.reason })),
      [
        { op: 1, row: 2, column: "n", value: "x", reason: 'cast to integer: value "x" is not an integer' },
        { op: 1, row: 5, column: "id", value: "oops", reason: 'cast to integer: value "oops" is not an integer' },
      ],
    );
    assert.equal(rejected[0]?.record["id"], 2, "columns cast before the failing one are as the op left them");
  });

  it("a failing derive or filter expression rejects its record; the next ops see only the others", async () => {
    const input = [{ code: "10", other: "1" }, { code: "abc", other: "1" }, { code: "30", other: "zz" }, { code: "40", other: "2" }];
    const { rows, rejected } = await apply([{ derive: { n: "$number(code)" } }, { filter: "$number(other) > 0" }], input);
    assert.deepEqual(rows.map((r) => r["n"]), [10, 40]);
    assert.equal(rejected.length, 2);
    assert.deepEqual(rejected.map((r) => [r.op, r.row, r.column, r.value]), [[1, 2, "n", null], [2, 2, null, null]]);
    assert.match(rejected[0]?.reason ?? "", /^expression `\$number\(code\)` failed: /);
    assert.equal(rejected[1]?.record["other"], "zz");
  });

  it("without rejects, the first failure still fails the step", async () => {
    const compiled = compileTransforms([{ cast: { n: "integer" } }], { columns: undefined, openUpstream: async () => ({ batches: batches([]) as Batches, columns: undefined }) });
    await assert.rejects(async () => {
      for await (const _ of compiled.stage(batches([{ n: "1" }, { n: "x" }]))) void _;
    }, /cast failed at row 2 .*on_error: quarantine/);
  });

  it("max_rejected is a count, or a share of the input rounded down", () => {
    assert.equal(allowedRejects(3, 1000), 3);
    assert.equal(allowedRejects("0.5%", 1000), 5);
    assert.equal(allowedRejects("0.5%", 199), 0);
    assert.equal(allowedRejects("100%", 7), 7);
  });
});
