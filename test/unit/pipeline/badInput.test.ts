import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeUtf8, looksBinary } from "../../../server/src/pipeline/parse";
import { MAX_FILE_BYTES } from "../../../server/src/pipeline/limits";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { check, VALID } from "../helpers";

function only(text: string): { code: string; message: string; range: string } {
  const found = check(text);
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0] as { code: string; message: string; range: string };
}

describe("bad input never crashes or hangs", () => {
  it("empty file", () => {
    assert.deepEqual(only(""), { ...only(""), code: "schema", message: "the file is empty: a pipeline needs `version: 1`, a `name` and `steps`" });
  });

  it("only comments", () => {
    assert.equal(only("# nothing here\n# yet\n").code, "schema");
  });

  it("a list at top level", () => {
    const p = only("- a\n- b\n");
    assert.equal(p.message, "a pipeline file is a map of keys (`version`, `name`, `steps` …), not a list");
    assert.equal(p.range, "1:1-3:1");
  });

  it("a scalar at top level", () => {
    assert.match(only("hello\n").message, /not a single value/);
  });

  it("tabs as indentation", () => {
    const found = check("version: 1\nsteps:\n\t- id: a\n");
    assert.ok(found.length >= 1 && found.every((p) => p.code === "yaml-syntax"), JSON.stringify(found));
    assert.match(found[0]?.message ?? "", /tab/i);
  });

  it("duplicate keys", () => {
    const found = check(VALID.replace("name: orders_daily\n", "name: orders_daily\nname: again\n"));
    assert.equal(found[0]?.code, "yaml-syntax");
    assert.match(found[0]?.message ?? "", /duplicate key/);
    assert.equal(found[0]?.range, "3:1-3:5");
  });

  it("anchors, aliases and merge keys work", () => {
    const text = VALID.replace("connections:\n", "defaults: &pol {retries: 2}\nconnections:\n").replace("  - id: paid\n", "  - id: paid\n    <<: *pol\n");
    assert.deepEqual(check(text), []);
  });

  it("an alias bomb is refused quickly", () => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
    const started = performance.now();
    const found = check(lines.join("\n") + "\n");
    assert.ok(performance.now() - started < 5000);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.code, "yaml-syntax");
    assert.match(found[0]?.message ?? "", /alias bomb/);
  });

  it("deeply nested flow collections", () => {
    const deep = "version: 1\nname: p\nsteps: " + "[".repeat(20000) + "]".repeat(20000) + "\n";
    const found = check(deep);
    assert.ok(found.length >= 1);
    assert.ok(found.every((p) => p.code === "yaml-syntax" || p.code === "schema"), JSON.stringify(found.slice(0, 3)));
  });

  it("a file just under the size limit is checked in full; one byte over it is refused with one problem", () => {
    const steps = ["version: 1", "name: big", "connections:", "  raw: {type: file}", "steps:"];
    let size = steps.join("\n").length + 1;
    const stepBytes = 160;
    for (let i = 0; size + stepBytes < MAX_FILE_BYTES; i++) {
      const before = steps.length;
      steps.push(`  - id: s${i}`, `    description: "${"padding ".repeat(8)}"`, i === 0 ? "    extract: {connection: raw, path: a.csv}" : `    depends_on: [s${i - 1}]`);
      if (i > 0) steps.push("    transform: [{limit: 10}]");
      for (const line of steps.slice(before)) size += line.length + 1;
    }
    const text = steps.join("\n") + "\n";
    assert.ok(text.length <= MAX_FILE_BYTES && text.length > MAX_FILE_BYTES - 1000);
    const result = validatePipeline(text);
    assert.deepEqual(result.problems, []);
    assert.ok(result.dag.nodes.length > 10000);
    const over = text + "#".repeat(MAX_FILE_BYTES - text.length) + "\n";
    const refused = validatePipeline(over);
    assert.deepEqual(
      refused.problems.map((p) => [p.code, p.severity, p.span]),
      [["file-too-large", "error", { start: 0, end: "version: 1".length }]],
    );
    const bytes = (n: number) => n.toLocaleString("en-US");
    assert.ok(refused.problems[0]?.message.startsWith(`this file is 3 MB (${bytes(MAX_FILE_BYTES + 1)} bytes); pipeline files over 3 MB (${bytes(MAX_FILE_BYTES)} bytes) are not checked. Split it`), refused.problems[0]?.message);
    assert.equal(refused.dag.nodes.length, 0);
  });

  it("non-UTF-8 bytes become a yaml-syntax problem at the bad byte; binary is detected", () => {
    const bytes = Buffer.concat([Buffer.from("version: 1\nname: caf"), Buffer.from([0xe9]), Buffer.from("\n")]);
    const decoded = decodeUtf8(bytes);
    assert.equal(decoded.problem?.code, "yaml-syntax");
    assert.equal(decoded.problem?.span.start, 20);
    assert.equal(looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])), true);
    assert.equal(looksBinary(Buffer.from(VALID)), false);
  });

  it("a BOM is dropped", () => {
    assert.equal(decodeUtf8(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)])).text, VALID);
  });

  it("several YAML documents", () => {
    const found = check(VALID + "---\nversion: 1\n");
    assert.equal(found[0]?.code, "yaml-syntax");
    assert.match(found[0]?.message ?? "", /one YAML document/);
  });

  it("a file that does not parse still yields an outline for editors", () => {
    const result = validatePipeline(VALID + "  - id: broken\n    extract: {connection: raw\n");
    assert.ok(result.problems.some((p) => p.code === "yaml-syntax"));
    assert.equal(result.pipeline, undefined);
  });

  it("a valid file yields the typed pipeline with defaults applied", () => {
    const result = validatePipeline(VALID);
    assert.equal(result.pipeline?.name, "orders_daily");
    assert.equal(result.pipeline?.steps[2]?.load?.mode, "append");
    assert.equal(result.pipeline?.steps[2]?.load?.create, true);
  });
});
