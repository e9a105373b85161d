import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cacheTtlContributions } from "../../../server/src/language/settings";
import { buildJsonSchema } from "../../../server/src/pipeline/jsonSchema";
import { CONNECTORS } from "../../../server/src/sources/registry";
import { check, codes, expectProblem, VALID, yaml } from "../helpers";

describe("JSON Schema", () => {
  it("the committed schemas/pipeline.schema.json equals the one generated from the zod model (run `npm run schema`)", () => {
    const committed = JSON.parse(readFileSync(join(__dirname, "../../../schemas/pipeline.schema.json"), "utf8"));
    assert.deepEqual(committed, buildJsonSchema());
  });

  it("package.json offers agentEtl.cacheTtl.<type> for each registered connection type, with its connector's default (run `npm run schema`)", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> } } };
    const offered = Object.entries(pkg.contributes.configuration.properties).filter(([key]) => key.startsWith("agentEtl.cacheTtl."));
    assert.deepEqual(offered.map(([key, s]) => [key, s.default]), CONNECTORS.map((d) => [`agentEtl.cacheTtl.${d.type}`, d.analysis.cacheTtlSeconds]));
    assert.deepEqual(Object.fromEntries(offered), cacheTtlContributions());
  });

  it("gives every property a description (hover text)", () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`));
      if (node === null || typeof node !== "object") return;
      const obj = node as Record<string, unknown>;
      const props = obj.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [k, v] of Object.entries(props ?? {})) {
        const described = typeof v.description === "string" || (Array.isArray(v.anyOf) && typeof v.description === "string");
        if (!described) missing.push(`${path}/${k}`);
      }
      // `if`/`then` restate keys already described elsewhere.
      for (const [k, v] of Object.entries(obj)) if (k !== "if" && k !== "then") walk(v, `${path}/${k}`);
    };
    walk(buildJsonSchema(), "");
    assert.deepEqual(missing, []);
  });

  it("accepts the valid pipeline with no problems", () => {
    assert.deepEqual(check(VALID), []);
  });
});

describe("schema problems: exact ranges and readable messages", () => {
  it("unknown step key: on the key, with did-you-mean", () => {
    const text = VALID.replace("  - id: paid\n", "  - id: paid\n    retires: 3\n");
    const p = expectProblem(text, "schema", 15, 5, 15, 12);
    assert.equal(p.message, "`retires` is not a step key — did you mean `retries`?");
  });

  it("unknown top-level key without a close match lists the valid keys", () => {
    const p = expectProblem(VALID + "zzz: 1\n", "schema", 24, 1, 24, 4);
    assert.match(p.message, /^`zzz` is not a top-level key; expected one of `version`, `name`/);
  });

  it("missing required top-level key points at the first line", () => {
    const text = VALID.replace("name: orders_daily\n", "");
    const p = expectProblem(text, "schema", 1, 1, 1, 11);
    assert.equal(p.message, "the pipeline needs `name`");
  });

  it("missing step id points at the item's first key", () => {
    const text = VALID.replace("  - id: save\n    depends_on: [paid]\n", "  - depends_on: [paid]\n");
    const p = expectProblem(text, "schema", 19, 5, 19, 15);
    assert.equal(p.message, "a step needs `id`");
  });

  it("wrong type: on the value", () => {
    const text = VALID.replace("  - id: paid\n", "  - id: paid\n    retries: three\n");
    const p = expectProblem(text, "schema", 15, 14, 15, 19);
    assert.equal(p.message, "`retries` must be an integer, not a string");
  });

  it("out of range", () => {
    const p = expectProblem(VALID.replace("  - id: paid\n", "  - id: paid\n    retries: 50\n"), "schema", 15, 14, 15, 16);
    assert.equal(p.message, "`retries` must be between 0 and 20, not 50");
  });

  it("bad enum value with did-you-mean", () => {
    const text = VALID.replace("      path: paid.jsonl", "      path: paid.jsonl\n      format: jsonll");
    const p = expectProblem(text, "schema", 24, 15, 24, 21);
    assert.equal(p.message, "`format` must be one of `csv`, `jsonl`, `json` or `parquet`, not `jsonll` — did you mean `jsonl`?");
  });

  it("bad identifier suggests a valid one", () => {
    const p = expectProblem(VALID.replace("name: orders_daily", "name: Orders Daily"), "schema", 2, 7, 2, 19);
    assert.equal(p.message, "`Orders Daily` (in `name`) is not a valid identifier: use lowercase letters, digits and `_`, starting with a letter (at most 63), e.g. `orders_daily`");
  });

  it("bad duration, bad date, bad schedule pattern", () => {
    assert.match(expectProblem(VALID.replace("  - id: paid\n", "  - id: paid\n    timeout: 5 min\n"), "schema", 15, 14, 15, 19).message, /is not a duration/);
    assert.match(expectProblem(VALID.replace("version: 1\n", "version: 1\nstart_date: 2024/01/01\n"), "schema", 2, 13, 2, 23).message, /write `YYYY-MM-DD`/);
    assert.match(expectProblem(VALID.replace("version: 1\n", "version: 1\nschedule: every day\n"), "schema", 2, 11, 2, 20).message, /is not a schedule/);
  });

  it("a table name with a template: templates are not filled there, and the message says where they are", () => {
    const pipeline = (table: string) =>
      yaml("version: 1", "name: t", "connections:", "  db:", "    type: postgres", "    url: postgres://localhost/x", "steps:", "  - id: src", "    extract:", "      connection: db", `      table: ${table}`);
    const p = expectProblem(pipeline('"orders_{{ ds_nodash }}"'), "schema", 11, 14, 11, 38);
    assert.equal(p.message, "`orders_{{ ds_nodash }}` (in `table`) holds a template, and table names take none (templates are filled in keys, paths, `query` texts and HTTP query/body values): write the table's name");
    assert.match(expectProblem(pipeline('""'), "schema", 11, 14, 11, 16).message, /is empty: write the table's name/);
    assert.deepEqual(codes(pipeline("analytics.orders_2024")), []);
  });

  it("version must be 1", () => {
    assert.equal(expectProblem(VALID.replace("version: 1", "version: 2"), "schema", 1, 10, 1, 11).message, "`version` must be `1`");
  });

  it("a connection with an unknown type: one problem on the type value, not a cascade", () => {
    const text = VALID.replace("    type: file\n    root: ./data", "    type: ftp\n    root: ./data");
    const p = expectProblem(text, "schema", 5, 11, 5, 14);
    assert.equal(p.message, "`ftp` is not a valid `type`: use `postgres`, `s3`, `http`, `file` or `duckdb`");
  });

  it("a connection without type", () => {
    const text = VALID.replace("    type: file\n    root: ./data", "    root: ./data");
    const p = expectProblem(text, "schema", 4, 3, 4, 6);
    assert.equal(p.message, "a connection needs `type`: one of `postgres`, `s3`, `http`, `file` or `duckdb`");
  });

  it("a key that belongs to another connection type", () => {
    const text = VALID.replace("    root: ./data", "    root: ./data\n    bucket: b");
    const p = expectProblem(text, "schema", 7, 5, 7, 11);
    assert.match(p.message, /^`bucket` is not a key of a `file` connection/);
  });

  it("a missing key inside a discriminated branch", () => {
    const text = VALID.replace("  out:\n    type: file", "  out:\n    type: s3");
    const p = check(text).find((x) => x.code === "schema");
    assert.equal(p?.message, "`out` needs `bucket`");
    assert.equal(p?.range, "7:3-7:6");
  });

  it("a step with two kinds: one problem on the second kind", () => {
    const text = VALID.replace("    load:\n", "    sql: {connection: out, query: select 1}\n    load:\n");
    const p = expectProblem(text, "schema", 22, 5, 22, 9);
    assert.equal(p.message, "a step does one thing, but this one has `sql` and `load`: split it into 2 steps linked with `depends_on`");
  });

  it("a step with no kind suggests a misspelt one", () => {
    const text = VALID.replace("    load:\n", "    lod:\n");
    const found = check(text).filter((p) => p.code === "schema");
    assert.deepEqual(
      found.map((p) => [p.range, p.message]),
      [
        ["19:9-19:13", "a step needs one of `extract`, `transform`, `load` or `sql` — did you mean `load`?"],
        ["21:5-21:8", "`lod` is not a step key — did you mean `load`?"],
      ],
    );
  });

  it("merge without key: on `mode`", () => {
    const text = yaml(
      "version: 1",
      "name: p",
      "connections:",
      "  db: {type: postgres, url: '${env:DATABASE_URL}'}",
      "  raw: {type: file}",
      "steps:",
      "  - id: a",
      "    extract: {connection: raw, path: a.csv}",
      "  - id: b",
      "    depends_on: [a]",
      "    load: {connection: db, table: t, mode: merge}",
    );
    const p = expectProblem(text, "schema", 11, 38, 11, 42, { envNames: new Set(["DATABASE_URL"]) });
    assert.match(p.message, /with `mode: merge` needs `key`/);
  });

  it("two operations in one transform item: on the second", () => {
    const text = VALID.replace("      - select: [id, amount]", "      - select: [id, amount]\n        drop: [x]");
    const p = expectProblem(text, "schema", 19, 9, 19, 13);
    assert.match(p.message, /holds exactly one operation, but this one has `select` and `drop`/);
  });

  it("unknown transform operation", () => {
    const p = expectProblem(VALID.replace("- select: [id, amount]", "- selct: [id, amount]"), "schema", 18, 9, 18, 14);
    assert.equal(p.message, "`selct` is not a transform operation — did you mean `select`?");
  });

  it("union-typed key with the wrong form reports one problem", () => {
    const text = VALID.replace("- select: [id, amount]", "- join: {with: orders, on: 5}");
    const found = check(text).filter((p) => p.code === "schema");
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]?.range, "18:34-18:35");
    assert.match(found[0]?.message ?? "", /`on` has the wrong form \(an integer\): use a string or a list of strings or a map/);
  });

  it("duplicate depends_on entry", () => {
    const p = expectProblem(VALID.replace("depends_on: [orders]", "depends_on: [orders, orders]"), "schema", 15, 26, 15, 32);
    assert.equal(p.message, "`depends_on` lists `orders` twice; remove one");
  });

  it("bad metric and empty steps", () => {
    const agg = VALID.replace("- select: [id, amount]", "- aggregate: {group_by: [id], metrics: {n: total(x)}}");
    assert.match(expectProblem(agg, "schema", 18, 50, 18, 58).message, /is not a metric/);
    const empty = yaml("version: 1", "name: p", "steps: []");
    assert.equal(expectProblem(empty, "schema", 3, 8, 3, 10).message, "`steps` needs at least 1 item");
  });

  it("connection names must be identifiers", () => {
    const p = expectProblem(VALID.replace("  out:\n", "  Out-DB:\n").replace("connection: out", "connection: out"), "schema", 7, 3, 7, 9);
    assert.match(p.message, /^connection name `Out-DB` is not a valid identifier: .* e\.g\. `out_db`$/);
    assert.ok(codes(VALID.replace("  out:\n", "  Out-DB:\n")).includes("unknown-connection"));
  });
});
