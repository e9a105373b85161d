/**
 * `incremental` per connection type (connection-type), and `lag` feeding an `append` load
 * (lag-append) with its quick fix to `merge`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { quickFixes } from "../../../server/src/pipeline/quickFixes";
import { validatePipeline } from "../../../server/src/pipeline/validate";

function pipeline(extract: string, load = "{connection: db, table: orders_copy, mode: merge, key: id}"): string {
  return `version: 1
name: inc
connections:
  db: {type: postgres, url: "postgres://app@localhost/shop"}
  api: {type: http, base_url: "http://127.0.0.1:9"}
  lake: {type: s3, bucket: raw}
  disk: {type: file, root: data}
steps:
  - id: src
    extract: ${extract}
  - id: shape
    depends_on: [src]
    transform:
      - select: [id]
  - id: dest
    depends_on: [shape]
    load: ${load}
`;
}

const codes = (text: string) => validatePipeline(text).problems.filter((p) => p.severity !== "hint").map((p) => `${p.code}: ${p.message}`);

describe("incremental keys by connection type", () => {
  it("accepts each type's own form", () => {
    assert.deepEqual(codes(pipeline("{connection: db, table: orders, incremental: {column: updated_at, lag: 10m}}")), []);
    assert.deepEqual(codes(pipeline("{connection: api, path: /orders, incremental: {param: updated_since, from: meta.updated_at, initial: '2024-01-01', lag: 1h}}")), []);
    assert.deepEqual(codes(pipeline("{connection: lake, key: 'raw/**/*.csv', incremental: {by: modified, lag: 5m}}")), []);
    assert.deepEqual(codes(pipeline("{connection: disk, path: 'in/**/*.jsonl', partition_columns: true, incremental: {by: partition}}")), []);
    assert.ok(validatePipeline(pipeline("{connection: db, table: orders, incremental: {column: id, lag: 100}}")).pipeline, "a numeric lag");
  });

  it("refuses keys of another type, missing keys, and lag with by: partition", () => {
    assert.deepEqual(codes(pipeline("{connection: api, path: /orders, incremental: {column: id}}")), [
      "connection-type: `api` is a `http` connection: an incremental extract from it needs `param` and `from`",
      "connection-type: incremental `column` does not apply here: `api` is a `http` connection, whose incremental keys are `param`, `from`, `initial` and `lag`",
    ]);
    assert.deepEqual(codes(pipeline("{connection: lake, key: 'raw/*', incremental: {by: partition, lag: 1h}}")), [
      "connection-type: `lag` does not apply to `by: partition` (a partition is read once, after the last one read); use `by: modified` to re-read a window",
    ]);
    assert.match(codes(pipeline("{connection: db, table: t, partition_columns: true}"))[0] ?? "", /`partition_columns` does not apply here/);
    assert.ok(codes(pipeline("{connection: db, table: t, incremental: {column: id, lag: 10 minutes}}")).some((c) => c.startsWith("schema:")), "a lag that is no duration");
  });
});

describe("lag-append", () => {
  it("warns on an append load downstream of a lagged extract, through transforms, and not on merge", () => {
    const lagged = "{connection: db, table: orders, incremental: {column: id, lag: 100}}";
    assert.deepEqual(codes(pipeline(lagged)), []);
    assert.deepEqual(codes(pipeline("{connection: db, table: orders, incremental: {column: id}}", "{connection: db, table: orders_copy}")), [], "no lag, no warning");
    const [implicit] = codes(pipeline(lagged, "{connection: db, table: orders_copy}"));
    assert.equal(implicit, "lag-append: load `dest` appends the records of `src`, whose incremental `lag` reads rows again: those rows would be added twice; use `mode: merge` with a `key` that identifies the rows");
  });

  it("offers `merge` for a keyed `mode: append`, and the fixed file has no warning", () => {
    const text = pipeline("{connection: db, table: orders, incremental: {column: id, lag: 100}}", "{connection: db, table: orders_copy, mode: append, key: id}");
    const result = validatePipeline(text);
    const warning = result.problems.find((p) => p.code === "lag-append");
    assert.ok(warning);
    assert.equal(text.slice(warning.span.start, warning.span.end), "append");
    assert.deepEqual(warning.related?.map((r) => text.slice(r.span.start, r.span.end)), ["lag"]);
    const [fix] = quickFixes(text, result.outline, warning);
    assert.ok(fix);
    const fixed = fix.edits.reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
    assert.deepEqual(codes(fixed), []);
    assert.match(fixed, /mode: merge, key: id/);
  });
});
