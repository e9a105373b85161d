/**
 * Aliases, merge keys and control characters that `yaml` parses without an error but that are the
 * user's mistake: each is a `yaml-syntax` problem at the node or character, with the same answer from
 * a fresh validation and from the language server's incremental path, and none throws anywhere the
 * document's nodes are read (live connections, requests, formatting).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatText } from "../../../server/src/language/formatting";
import { PiecewiseValidator } from "../../../server/src/pipeline/piecewise";
import { plainValue } from "../../../server/src/pipeline/nodes";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { check, VALID, yaml } from "../helpers";

/** A small pipeline with `LINE` inside its connection (at connection-key indentation). */
function inConnection(line: string, before = ""): string {
  return yaml(before + "version: 1", "name: p", "connections:", "  wh:", "    type: postgres", `    ${line}`, "steps:", "  - id: a", "    extract: {connection: wh, table: t}");
}

/** The first problem of `text` (a yaml-syntax one), same from the incremental path, with the text it covers. */
function onlySyntax(text: string): { message: string; text: string; range: string } {
  const found = check(text);
  assert.ok(found.length >= 1, JSON.stringify(found));
  const p = found[0] as { code: string; message: string; text: string; range: string };
  assert.equal(p.code, "yaml-syntax");
  const incremental = new PiecewiseValidator();
  incremental.update(VALID);
  assert.deepEqual(incremental.update(text).problems, validatePipeline(text).problems);
  return p;
}

/** Every node's plain data, as live features and requests read it, without a throw. */
function readEveryConnection(text: string): void {
  const { outline } = validatePipeline(text);
  for (const c of outline.connections.values()) plainValue(outline.doc, c.node);
  for (const s of outline.steps) plainValue(outline.doc, s.kinds[0]?.node);
  formatText(text);
}

describe("aliases and merge keys that yaml accepts but cannot turn into data", () => {
  const undefinedAliases: [string, string][] = [
    ["in a connection", inConnection("root: *nope")],
    ["as a merge source", inConnection("<<: *nope")],
    ["in a merge list", inConnection("<<: [*nope]")],
    ["in a step", VALID.replace("  - id: paid\n", "  - id: paid\n    retries: *nope\n")],
    ["used before its anchor", VALID.replace("connections:\n", "x: *nope\nconnections:\n") + "y: &nope 1\n"],
    ["at the top level", "*nope\n"],
  ];
  for (const [where, text] of undefinedAliases) {
    it(`an undefined alias ${where} is named, with a fix (not called an alias bomb)`, () => {
      const p = onlySyntax(text);
      assert.equal(p.text, "*nope");
      assert.match(p.message, /^undefined alias `\*nope`: no anchor `&nope` comes before it; mark the value to reuse with `&nope`/);
      assert.doesNotMatch(p.message, /bomb/);
      readEveryConnection(text);
    });
  }

  const badMerges: [string, string, string, RegExp][] = [
    ["an alias of a scalar", inConnection("<<: *s", "s: &s hello\n"), "*s", /`\*s` names a scalar/],
    ["an alias of a list of scalars", inConnection("<<: *s", "s: &s [1, 2]\n"), "1", /it is a scalar/],
    ["a scalar", inConnection("<<: 3"), "3", /it is a scalar/],
    ["an empty value", inConnection("<<: null"), "null", /it is an empty value/],
    ["a list holding a scalar", inConnection("<<: [{port: 1}, 2]"), "2", /it is a scalar/],
  ];
  for (const [what, text, at, detail] of badMerges) {
    it(`a merge key whose source is ${what} is reported at the source`, () => {
      const p = onlySyntax(text);
      assert.equal(p.text, at);
      assert.match(p.message, /^a merge key `<<` takes a map, an alias of a map, or a list of them/);
      assert.match(p.message, detail);
      readEveryConnection(text);
    });
  }

  it("an alias inside the value it names is reported, not turned into circular data", () => {
    for (const value of ["&a [*a]", "&a {x: *a}", "&a [[1, *a]]"]) {
      const p = onlySyntax(inConnection(`root: ${value}`));
      assert.equal(p.text, "*a");
      assert.match(p.message, /would contain itself/);
    }
  });

  it("merges of maps, aliases of maps and lists of them stay valid", () => {
    const base = "b: &b {host: h}\nc: &c {port: 1}\n";
    for (const merge of ["<<: *b", "<<: [*b, *c]", "<<: {port: 2}", "<<: *l"]) {
      const text = inConnection(merge, base + "l: &l [{user: u}]\n");
      assert.deepEqual(check(text).filter((p) => p.code === "yaml-syntax"), [], merge);
    }
  });

  it("an alias bomb is still called one", () => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 6; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
    assert.match(onlySyntax(lines.join("\n") + "\n").message, /alias bomb/);
  });
});

describe("control characters anywhere in the text", () => {
  const positions: [string, (c: string) => string][] = [
    ["in a plain value", (c) => VALID.replace("name: orders_daily", `name: orders${c}daily`)],
    ["in a quoted value", (c) => VALID.replace("name: orders_daily", `name: "orders${c}daily"`)],
    ["in a comment", (c) => `# header ${c}\n` + VALID],
    ["after the first 8,000 characters", (c) => `# ${"x".repeat(9000)}\n` + VALID.replace("name: orders_daily", `name: orders${c}daily`)],
    ["at the very end", (c) => VALID + c],
  ];
  for (const [where, make] of positions) {
    it(`a NUL ${where} is a yaml-syntax problem at that character`, () => {
      const text = make("\u0000");
      const p = onlySyntax(text);
      assert.equal(p.text, "\u0000");
      assert.match(p.message, /NUL character \(U\+0000\).*delete it/);
    });
  }

  it("other control characters are named by code point; tab, CR and newline are not control problems", () => {
    for (const c of ["\u0001", "\u0008", "\u000b", "\u001f", "\u007f"]) {
      const p = onlySyntax(VALID.replace("name: orders_daily", `name: "orders${c}daily"`));
      assert.match(p.message, new RegExp(`control character \\(U\\+00${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}\\)`));
    }
    assert.deepEqual(check(VALID.replace(/\n/g, "\r\n")), []);
    assert.deepEqual(check(VALID.replace("name: orders_daily", 'name: orders_daily\ndescription: "orders\tdaily"')), []);
  });
});
