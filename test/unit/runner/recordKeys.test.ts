// Every transform op treats a column named like one of Object.prototype's properties (`constructor`,
// `toString`, `__proto__`, …) exactly as it treats an ordinary name: each op runs twice, once with
// the column called `plain` and once with the inherited name, and the results must be the same
// records but for that name — whether the records have the column or lack it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TransformOp } from "../../../server/src/pipeline/model";
import { keepProtoKeys } from "../../../server/src/pipeline/protoKeys";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { compileTransforms, type Batches } from "../../../server/src/runner/transforms";
import { inferColumns } from "../../../server/src/sources/columnInference";
import { CopyRowEncoder } from "../../../server/src/sources/postgres/copyText";
import type { DataRecord } from "../../../server/src/sources/types";

const NAMES = Object.getOwnPropertyNames(Object.prototype);
const X = "plain";

/** Records from entries (Object.fromEntries keeps an own `__proto__`). */
const rec = (entries: [string, unknown][]): DataRecord => Object.fromEntries(entries);
const swap = (to: string) => (k: string) => (k === X ? to : k === to ? X : k);

/** An op's JSON with every `plain` (keys and strings, backticked in expressions) replaced by `name`. */
function opWith(op: TransformOp, name: string): TransformOp {
  const text = JSON.stringify(op).replaceAll(`\`${X}\``, `\`${name}\``).replaceAll(`"${X}"`, JSON.stringify(name)).replaceAll(`(${X})`, `(${name})`);
  const raw = JSON.parse(text) as unknown;
  const parsed = JSON.parse(text) as TransformOp;
  keepProtoKeys(raw, parsed);
  return parsed;
}

async function run(op: TransformOp, input: DataRecord[], right: DataRecord[] = []): Promise<[string, unknown][][]> {
  async function* of(records: DataRecord[]): AsyncGenerator<DataRecord[]> {
    yield records.map((r) => ({ ...r }));
  }
  const compiled = compileTransforms([op], { columns: undefined, openUpstream: async () => ({ batches: of(right) as Batches, columns: undefined }) });
  const out: [string, unknown][][] = [];
  for await (const batch of compiled.stage(of(input))) for (const r of batch) out.push(Object.entries(r));
  return out;
}

const OPS: [string, TransformOp][] = [
  ["select", { select: ["id", X] }],
  ["drop", { drop: [X] }],
  ["rename (from)", { rename: { [X]: "renamed" } }],
  ["rename (to)", { rename: { id: X } }],
  ["cast", { cast: { [X]: "integer" } }],
  ["filter", { filter: `\`${X}\` != "2"` }],
  ["derive", { derive: { [X]: `\`${X}\` & "!"`, other: `\`${X}\`` } }],
  ["dedupe", { dedupe: [X] }],
  ["join", { join: { with: "right", on: X, how: "left" } }],
  ["aggregate", { aggregate: { group_by: [X], metrics: { n: "count()", top: `max(${X})` } } }],
  ["limit", { limit: 2 }],
];

describe("column names a plain object inherits, op by op", () => {
  for (const [label, op] of OPS) {
    it(`${label}: the same records as with an ordinary name, for ${NAMES.length} names, with and without the column`, async () => {
      for (const name of NAMES) {
        const inputs = (col: string) => [rec([["id", "1"], [col, "1"]]), rec([["id", "2"], [col, "2"]]), rec([["id", "3"], [col, "1"]]), rec([["id", "4"]])];
        const right = (col: string) => [rec([[col, "1"], ["extra", "r1"]]), rec([[col, "2"], ["extra", "r2"]])];
        const want = (await run(op, inputs(X), right(X))).map((r) => r.map(([k, v]): [string, unknown] => [swap(name)(k), v]));
        const got = await run(opWith(op, name), inputs(name), right(name));
        assert.deepEqual(got, want, `${label} with column ${JSON.stringify(name)}`);
      }
    });
  }

  it("the COPY encoder and the load's column types read only own keys", () => {
    for (const name of NAMES) {
      const encoder = new CopyRowEncoder(["id", name], () => {
        throw new Error("unknown column");
      });
      encoder.add(rec([["id", "1"]]));
      encoder.add(rec([["id", "2"], [name, "v"]]));
      assert.equal(encoder.flush(), "1\t\\N\n2\tv\n", name);
      const types = inferColumns([rec([["id", 1], [name, "v"]])], rec([["id", "integer"]]) as Record<string, "integer">);
      assert.deepEqual([...types], [["id", "integer"], [name, "string"]], name);
    }
  });

  it("a pipeline's maps keep a `__proto__` key, in its place, through validation", () => {
    const text = `version: 1
name: p
connections: {files: {type: file}}
steps:
  - id: read
    extract: {connection: files, path: in.csv}
  - id: t
    depends_on: [read]
    transform:
      - rename: {a: b, __proto__: p, z: y}
      - cast: {__proto__: integer}
      - derive: {__proto__: "1", toString: "2"}
`;
    const { pipeline, problems } = validatePipeline(text);
    assert.deepEqual(problems.filter((p) => p.severity === "error"), []);
    const ops = pipeline?.steps[1] && "transform" in pipeline.steps[1] ? pipeline.steps[1].transform : [];
    assert.deepEqual(Object.entries(ops?.[0]?.rename ?? {}), [["a", "b"], ["__proto__", "p"], ["z", "y"]]);
    assert.deepEqual(Object.entries(ops?.[1]?.cast ?? {}), [["__proto__", "integer"]]);
    assert.deepEqual(Object.entries(ops?.[2]?.derive ?? {}), [["__proto__", "1"], ["toString", "2"]]);
  });
});
