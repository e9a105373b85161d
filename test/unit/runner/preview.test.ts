/** The preview core's pure parts: what a transform needs from its input, caps, slices, plain JSON, the text table. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { previewTable } from "../../../server/src/cli/previewTable";
import type { TransformOp } from "../../../server/src/pipeline/model";
import { capped, columnList, plainRecord, sliced, take } from "../../../server/src/runner/preview/streams";
import { inputWanted, previewSteps } from "../../../server/src/runner/preview/target";
import { PreviewFailure } from "../../../server/src/runner/preview/failure";
import type { DataRecord } from "../../../server/src/sources/types";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import type { Pipeline } from "../../../server/src/pipeline/model";

async function* batches(sizes: number[]): AsyncGenerator<DataRecord[]> {
  let id = 0;
  for (const n of sizes) yield Array.from({ length: n }, () => ({ id: ++id }));
}

async function all(source: AsyncIterable<DataRecord[]>): Promise<DataRecord[][]> {
  const out: DataRecord[][] = [];
  for await (const b of source) out.push(b);
  return out;
}

describe("preview: rows wanted from a transform's input", () => {
  const ops = (...list: TransformOp[]) => list;
  it("one record per record ops need as many input rows as output rows; a limit caps them", () => {
    assert.equal(inputWanted(ops({ select: ["a"] }, { cast: { a: "integer" } }, { derive: { b: "a" } }, { rename: { a: "c" } }, { drop: ["b"] }), 21), 21);
    assert.equal(inputWanted(ops({ select: ["a"] }, { limit: 5 }), 21), 5);
  });
  it("ops that may drop, merge or multiply records need any number of input rows, unless a limit comes before them", () => {
    for (const op of [{ filter: "a > 1" }, { dedupe: ["a"] }, { aggregate: { group_by: ["a"], metrics: { n: "count()" } } }, { join: { with: "x", on: "a", how: "inner" as const } }]) {
      assert.equal(inputWanted(ops(op as TransformOp), 21), Number.POSITIVE_INFINITY, JSON.stringify(op));
      assert.equal(inputWanted(ops({ limit: 7 }, op as TransformOp), 21), 7, `limit before ${JSON.stringify(op)}`);
    }
  });
});

describe("preview: streams", () => {
  it("capped yields at most max records and tells when the source had more, without reading further", async () => {
    let more = 0;
    const got = await all(capped(batches([3, 3, 3]), 5, () => more++));
    assert.deepEqual(got.map((b) => b.length), [3, 2]);
    assert.equal(more, 1);
    let none = 0;
    assert.deepEqual((await all(capped(batches([3, 2]), 5, () => none++))).flat().length, 5);
    assert.equal(none, 0, "exactly max records: nothing more");
  });
  it("sliced cuts batches to a size, keeping order", async () => {
    const got = await all(sliced(batches([10, 3]), 4));
    assert.deepEqual(got.map((b) => b.length), [4, 4, 2, 3]);
    assert.deepEqual(got.flat().map((r) => r.id), Array.from({ length: 13 }, (_, i) => i + 1));
  });
  it("take closes the source once it has enough", async () => {
    let closed = false;
    async function* source(): AsyncGenerator<DataRecord[]> {
      try {
        yield* batches([2, 2, 2, 2]);
      } finally {
        closed = true;
      }
    }
    assert.equal((await take(source(), 3)).length, 3);
    assert.equal(closed, true);
  });
  it("plain JSON: BigInts as digits, NaN and infinities as names, nested too; own keys only", () => {
    const record: DataRecord = JSON.parse('{"__proto__": 1}') as DataRecord;
    Object.assign(record, { big: 2n ** 64n, nan: Number.NaN, inf: -Infinity, nested: { list: [1n, 2] }, gone: undefined });
    const plain = plainRecord(record);
    assert.equal(JSON.stringify(plain), '{"__proto__":1,"big":"18446744073709551616","nan":"NaN","inf":"-Infinity","nested":{"list":["1",2]}}');
    assert.equal(Object.getPrototypeOf(plain), Object.prototype);
  });
  it("columns in first-seen order, then typed ones no row had; unknown types are null", () => {
    assert.deepEqual(columnList([{ b: 1 }, { a: 1, b: 2 }], { a: "integer", z: "string" }), [
      { name: "b", type: null },
      { name: "a", type: "integer" },
      { name: "z", type: "string" },
    ]);
  });
});

describe("preview: the steps read", () => {
  const pipeline = validatePipeline(`version: 1
name: t
connections:
  f: {type: file}
  db: {type: postgres, url: "postgres://x@h/d"}
steps:
  - id: a
    extract: {connection: f, path: a.csv}
  - id: b
    extract: {connection: f, path: b.csv}
  - id: unrelated
    extract: {connection: f, path: c.csv}
  - id: setup
    sql: {connection: db, query: "select 1"}
  - id: j
    depends_on: [a, b, setup]
    transform:
      - join: {with: b, on: id}
  - id: out
    depends_on: [j]
    load: {connection: f, path: out.csv}
`).pipeline as Pipeline;
  it("are the step's record inputs and joins, upstream first; ordering-only dependencies and other branches are left out", () => {
    assert.deepEqual(previewSteps(pipeline, "out").map((s) => s.id), ["a", "b", "j", "out"]);
  });
  it("an unknown step (with a guess) and a sql step are usage failures with a fix", () => {
    assert.throws(() => previewSteps(pipeline, "outt"), (e: unknown) => e instanceof PreviewFailure && e.usage && e.code === "unknown-step" && /did you mean `out`/.test(e.fix ?? ""));
    assert.throws(() => previewSteps(pipeline, "setup"), (e: unknown) => e instanceof PreviewFailure && e.usage && e.code === "preview-sql-step" && e.step === "setup");
  });
});

describe("preview: the text table", () => {
  it("aligns columns under `name (type)` headers, escapes controls and line breaks, cuts long cells", () => {
    const text = previewTable({
      pipeline: "p", step: "s", limit: 2, durationMs: 5, truncated: true, notes: ["capped"],
      columns: [{ name: "id", type: "integer" }, { name: "note\u001b[2J", type: null }],
      rows: [{ id: 1, "note\u001b[2J": "a\nb" }, { id: 22, "note\u001b[2J": "x".repeat(60) }],
    });
    const lines = text.split("\n");
    assert.match(lines[0] ?? "", /^id \(integer\)\s+note\\u001b\[2J \(\?\)$/);
    assert.equal(lines[3]?.indexOf("x"), lines[0]?.indexOf("note"), "the second column is aligned");
    assert.match(lines[3] ?? "", /x{39}…$/);
    assert.match(lines[2] ?? "", /^1\s+a\\nb$/);
    assert.ok(!text.includes("\u001b"), "no raw ESC");
    assert.match(text, /first 2 rows of step s \(more may exist/);
    assert.match(text, /note: capped/);
  });
});
