/**
 * Every place the pipeline format expects a map (a connection, a step, its extract/load/sql block, a
 * transform operation, a check, a `paginate` or `auth` block, …), given a scalar, a list or nothing:
 * exactly one `schema` problem, at the value, saying what belongs there — and `validatePipeline`
 * never calls a file valid that zod's model (what `run` and the other consumers parse) rejects.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { buildJsonSchema } from "../../../server/src/pipeline/jsonSchema";
import { PipelineSchema } from "../../../server/src/pipeline/model";
import { validatePipeline } from "../../../server/src/pipeline/validate";

const HEAD = "version: 1\nname: p\nconnections:\n  raw: {type: file, root: ./data}\n";
const FIRST = "steps:\n  - id: a\n    extract: {connection: raw, path: a.csv}\n";

/** Where a map goes, as a pipeline with `$` standing for the value. */
const PLACES: { name: string; text: string }[] = [
  { name: "connection", text: `${HEAD}  out: $\n${FIRST}` },
  { name: "auth", text: `${HEAD}  api: {type: http, base_url: "http://x", auth: $}\n${FIRST}` },
  { name: "paginate", text: `${HEAD}  api: {type: http, base_url: "http://x"}\n${FIRST}  - id: b\n    extract: {connection: api, path: /x, paginate: $}\n` },
  { name: "connections", text: `version: 1\nname: p\nconnections: $\n${FIRST}` },
  { name: "step", text: `${HEAD}${FIRST}  - $\n` },
  { name: "extract", text: `${HEAD}${FIRST}  - id: b\n    extract: $\n` },
  { name: "load", text: `${HEAD}${FIRST}  - id: b\n    depends_on: [a]\n    load: $\n` },
  { name: "sql", text: `${HEAD}${FIRST}  - id: b\n    sql: $\n` },
  { name: "transform operation", text: `${HEAD}${FIRST}  - id: b\n    depends_on: [a]\n    transform:\n      - $\n` },
  { name: "check", text: `${HEAD}${FIRST}  - id: b\n    depends_on: [a]\n    transform: [{limit: 1}]\n    checks:\n      - $\n` },
  { name: "staging", text: `${HEAD}${FIRST}staging: $\n` },
  { name: "defaults", text: `${HEAD}${FIRST}defaults: $\n` },
];

/** Values that are not maps: numbers, strings (the `out:` + `type file` of a missing colon), lists, nothing. */
const NOT_MAPS = ["5", "1.5", "type file", '"type: file"', "true", "[1, 2]", "[]", "null", "~", ""];

/** A union whose every branch is a map with a constant `type` (a discriminated union). */
function tagged(s: Record<string, unknown>): boolean {
  const branches = s["oneOf"] ?? s["anyOf"];
  return Array.isArray(branches) && branches.length > 0 && branches.every((b: { properties?: { type?: { const?: unknown } } }) => b.properties?.type?.const !== undefined);
}

/** The names of every property whose schema is a discriminated union, anywhere in the JSON Schema. */
function discriminatedProperties(schema: unknown, name = "", out = new Set<string>()): Set<string> {
  if (!schema || typeof schema !== "object") return out;
  const s = schema as Record<string, unknown>;
  if (tagged(s)) {
    out.add(name);
    assert.equal(s["type"], "object", `the union at \`${name}\` says it takes only maps`);
  }
  for (const [k, v] of Object.entries(s)) {
    if (k === "properties" && v && typeof v === "object") for (const [p, sub] of Object.entries(v)) discriminatedProperties(sub, p, out);
    else if (k === "additionalProperties") discriminatedProperties(v, name === "connections" ? "connection" : `${name} value`, out);
    else if (typeof v === "object") discriminatedProperties(v, name, out);
  }
  return out;
}

describe("a value that is not a map where a map belongs", () => {
  it("the places cover every discriminated union of the schema (`oneOf` + `discriminator`)", () => {
    const unions = discriminatedProperties(buildJsonSchema());
    assert.ok(unions.size >= 3, `found ${[...unions].join(", ")}`);
    for (const u of unions) assert.ok(PLACES.some((p) => p.name === u), `no case for the union at \`${u}\``);
  });

  for (const place of PLACES) {
    it(`${place.name}: one schema problem at the value, never "valid" while zod rejects it`, () => {
      for (const value of NOT_MAPS) {
        const text = place.text.replace("$", value);
        const { problems } = validatePipeline(text);
        const errors = problems.filter((p) => p.severity === "error");
        const zod = PipelineSchema.safeParse(parse(text));
        assert.equal(zod.success, false, `zod rejects ${JSON.stringify(value)} as a ${place.name}`);
        assert.ok(errors.length > 0, `validate calls ${JSON.stringify(text)} valid, but zod rejects it`);
        const schema = problems.filter((p) => p.code === "schema");
        assert.equal(schema.length, 1, `one schema problem for ${JSON.stringify(value)} as a ${place.name}: ${schema.map((p) => p.message).join(" | ")}`);
        const p = schema[0]!;
        const at = place.text.indexOf("$");
        if (value !== "") assert.deepEqual([p.span.start, p.span.end], [at, at + value.length], `span of ${JSON.stringify(value)} as a ${place.name}: ${JSON.stringify(text.slice(p.span.start, p.span.end))}`);
        assert.match(p.message, /map/, `says a map belongs there: ${p.message}`);
      }
    });
  }

  it("a connection given a number or a `type file` missing its colon says what a connection looks like", () => {
    for (const [value, got] of [["5", "an integer"], ["type file", "a string"]] as const) {
      const text = `${HEAD}  out:\n    ${value}\n${FIRST}`;
      const [p, ...rest] = validatePipeline(text).problems.filter((q) => q.code === "schema");
      assert.equal(rest.length, 0);
      assert.equal(p?.message, `a connection is a map such as \`{type: file, root: ./data}\` whose \`type\` is one of \`postgres\`, \`s3\`, \`http\`, \`file\` or \`duckdb\`; got ${got}`);
      assert.equal(text.slice(p.span.start, p.span.end), value);
    }
  });
});
