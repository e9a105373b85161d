// The fast block-YAML path must give exactly what `yaml` gives (nodes, ranges, scalar types, data), or
// step aside: it may refuse any text, but never accept one `yaml` reports an error in, nor differ.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, it } from "node:test";
import { isPair, parseDocument } from "yaml";
import { splitChunks } from "../../../server/src/pipeline/chunks";
import { parseBlockYaml } from "../../../server/src/pipeline/fastYaml/blockYaml";
import { generatePipeline } from "../../lsp/generate";
import { random } from "../../support/random";

const OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false, strict: true } as const;
const PROPS = ["value", "type", "source", "flow", "minFractionDigits", "format", "tag", "anchor"] as const;

type Loose = Record<string, unknown> & { items?: unknown[]; range?: unknown; key?: unknown; value?: unknown };

/** The first difference between two node trees, or undefined. */
function difference(a: unknown, b: unknown, path = "$"): string | undefined {
  if (a === null || b === null || a === undefined || b === undefined) return a === b ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  const x = a as Loose;
  const y = b as Loose;
  if (x.constructor !== y.constructor) return `${path}: ${x.constructor.name} vs ${y.constructor.name}`;
  if (isPair(x)) return difference(x.key, y.key, `${path}.key`) ?? difference(x.value, y.value, `${path}.value`);
  if (!isDeepStrictEqual(x.range, y.range)) return `${path}: range ${JSON.stringify(x.range)} vs ${JSON.stringify(y.range)}`;
  for (const p of PROPS) if (!(p === "value" && x.items) && !isDeepStrictEqual(x[p], y[p])) return `${path}: ${p} ${JSON.stringify(x[p])} vs ${JSON.stringify(y[p])}`;
  if (x.items) {
    const yi = y.items as unknown[];
    if (x.items.length !== yi.length) return `${path}: ${x.items.length} items vs ${yi.length}`;
    for (let i = 0; i < x.items.length; i++) {
      const d = difference(x.items[i], yi[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  return undefined;
}

/** Compares the fast path with `yaml` on one text; true when the fast path took it. */
function agrees(text: string, label: string): boolean {
  const fast = parseBlockYaml(text);
  if (!fast) return false;
  const doc = parseDocument(text, OPTIONS);
  assert.equal(doc.errors.length, 0, `${label}: the fast path accepted text yaml rejects (${doc.errors[0]?.code}):\n${JSON.stringify(text)}`);
  const d = difference(fast.contents, doc.contents);
  assert.equal(d, undefined, `${label}: ${d}\n${JSON.stringify(text)}`);
  assert.deepEqual(fast.data, doc.toJS({ maxAliasCount: 1000 }), `${label}: data differs\n${JSON.stringify(text)}`);
  return true;
}

/** Adds `delta` to every range in a yaml node tree. */
function shiftRanges(node: unknown, delta: number): void {
  const n = node as Loose | null;
  if (!n || typeof n !== "object") return;
  if (isPair(n)) {
    shiftRanges(n.key, delta);
    shiftRanges(n.value, delta);
    return;
  }
  const r = n.range as number[] | undefined;
  if (r) for (let i = 0; i < r.length; i++) (r[i] as number) += delta;
  for (const item of n.items ?? []) shiftRanges(item, delta);
}

/**
 * The fast path parsing `[start, end)` of `text` in place equals yaml parsing that slice, moved to
 * `start` — the slice followed by the next line's indentation, as in the whole text, where comments
 * closing a collection end its range at the next line's content.
 */
function agreesInPlace(text: string, start: number, end: number, label: string): boolean {
  const fast = parseBlockYaml(text, start, end);
  if (!fast) return false;
  let next = end;
  while (text.charCodeAt(next) === 32) next++;
  const doc = parseDocument(text.slice(start, end) + " ".repeat(next - end), OPTIONS);
  assert.equal(doc.errors.length, 0, `${label}: accepted text yaml rejects`);
  shiftRanges(doc.contents, start);
  const d = difference(fast.contents, doc.contents);
  assert.equal(d, undefined, `${label}: ${d}`);
  assert.deepEqual(fast.data, doc.toJS({ maxAliasCount: 1000 }), `${label}: data differs`);
  return true;
}

const KEYS = ['"q k"', "'s k'", "Signup Date", "a b c", '"a\\nb"', "x y ", "é k", "k:x", "a", "b", "id", "step_1", "x.y", "path/p", "$k", "k-1", "1", "true", "null", "~", "-a", "<<", "__proto__", "key ", "0x1", "1.5", "Yes", "NULL"];
const PLAIN = ["x", "hello world", "1", "-5", "+3", "007", "1.50", "1.5", ".5", "5.", "0x1F", "0o7", "1e3", "-.inf", ".nan", "~", "null", "Null", "true", "False", "yes", "a:b", "a: b", "a #c", "a#b", "http://x.y/z", "${env:X}", "{x}", "[y]", "-a", "- a", "?a", ":a", "a,b", "a ]", "%x", "@x", "`x", "|", ">", "&a x", "*a", "!t x", "amount > 0 and status = 'paid'", "é ü", "x:", "-", "--", "...", "---", "a  b", "1_000", "0.0", "-0", "+.5", "12:30", "#x"];
const QUOTED = ["'q'", "'it''s'", "''", "'a # b'", '"d"', '"a\\nb"', '"x\\u00e9"', '"\\""', '"\\z"', '""', '"a # b"', "'unclosed", '"tab\\t"', '"\\x41"', "'a'b'", '"\\/"'];

/** Random YAML built from block maps, sequences, one-line values, comments and blank lines, valid or not. */
function randomYaml(rnd: () => number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const chance = (p: number) => rnd() < p;
  const sp = () => (chance(0.7) ? "" : chance(0.5) ? " " : "  ");
  const flowScalar = () => (chance(0.6) ? pick(["a", "b c", "1", "1.0", "null", "-1", "x.y", "é", "true", "a:b", "-", "a#b", "${env:X}"]) : pick(QUOTED.filter((q) => !q.includes("unclosed"))));
  const flow = (depth: number): string => {
    if (depth > 2 || chance(0.3)) return flowScalar();
    const isMap = chance(0.5);
    const items = Array.from({ length: Math.floor(rnd() * 4) }, () => (isMap ? `${pick(["a", "b", "k1", '"q"', "'s'", "1", "a b"])}${chance(0.9) ? ": " : ":"}${sp()}${flow(depth + 1)}` : flow(depth + 1)));
    return (isMap ? "{" : "[") + items.map((x) => sp() + x + sp()).join(",") + (chance(0.05) ? "," : "") + (isMap ? "}" : "]");
  };
  const trailer = () => (chance(0.8) ? "" : pick([" ", "  ", " # c", "  #c", "#c", " #"]));
  const inline = () => (chance(0.5) ? pick(PLAIN) : chance(0.4) ? pick(QUOTED) : flow(0));
  const comments = (indentMax: number) => {
    const out: string[] = [];
    while (chance(0.15)) out.push(chance(0.5) ? "" : " ".repeat(Math.floor(rnd() * (indentMax + 3))) + "# " + pick(["c", "note", ""]));
    return out;
  };
  const lines: string[] = [...comments(2)];
  const block = (indent: number, depth: number, first: string | undefined): void => {
    const isSeq = chance(0.35);
    const used = new Set<string>();
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) {
      const pad = i === 0 && first !== undefined ? first : " ".repeat(indent);
      if (i > 0 || first === undefined) lines.push(...comments(indent + 2));
      if (isSeq) {
        const r = rnd();
        if (depth < 4 && r < 0.35) block(indent + 2, depth + 1, `${pad}- `);
        else if (depth < 4 && r < 0.45) {
          lines.push(`${pad}-${trailer()}`);
          block(indent + 1 + Math.floor(rnd() * 3), depth + 1, undefined);
        } else lines.push(`${pad}- ${inline()}${trailer()}`);
        continue;
      }
      let key = pick(KEYS);
      while (!chance(0.1) && used.has(key)) key = pick(KEYS) + String(i);
      used.add(key);
      const r = rnd();
      if (depth < 4 && r < 0.3) {
        lines.push(`${pad}${key}:${trailer()}`);
        if (chance(0.2)) for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) lines.push(...comments(indent + 2), `${" ".repeat(indent)}- ${inline()}${trailer()}`);
        else block(indent + 1 + Math.floor(rnd() * 3), depth + 1, undefined);
      } else if (r < 0.37) lines.push(`${pad}${key}:${trailer()}`);
      else lines.push(`${pad}${key}:${chance(0.95) ? " " : "  "}${inline()}${trailer()}`);
    }
  };
  block(chance(0.7) ? 0 : 2, 0, undefined);
  lines.push(...comments(6));
  return lines.join("\n") + (chance(0.9) ? "\n" : "");
}

const SNIPPETS = ["\n", "  ", "- ", "id: x", '"', "'", "#", ":", " ", "[a, b]", "{", "}", "[", "]", ",", "\t", "&a ", "*a", "|", ">", "\r\n", "# c\n", "\n    # c\n", "\n\n", "x: 1\n", "- y\n"];

function mutate(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  if (rnd() < 0.4) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(rnd() * 8)));
  return text.slice(0, at) + (SNIPPETS[Math.floor(rnd() * SNIPPETS.length)] ?? "") + text.slice(at);
}

function pipelineFiles(generatedSteps = 200): { name: string; text: string }[] {
  const root = resolve(__dirname, "../../../examples");
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".etl.yaml") ? [join(dir, e.name)] : []));
  return [...walk(root).map((f) => ({ name: f, text: readFileSync(f, "utf8") })), { name: `generated ${generatedSteps}`, text: generatePipeline(generatedSteps) }];
}

describe("fast block-YAML path", () => {
  it("takes every example pipeline and its pieces, and gives what yaml gives", () => {
    for (const { name, text } of pipelineFiles()) {
      assert.ok(agrees(text, name), `${name}: the fast path refused the whole file`);
      const layout = splitChunks(text);
      assert.ok(layout, name);
      for (const section of layout.sections) {
        for (const chunk of [section, ...(section.items ?? [])]) {
          assert.ok(agrees(text.slice(chunk.start, chunk.end), `${name} piece at ${chunk.start}`), `${name}: refused the piece at ${chunk.start}`);
          assert.ok(agreesInPlace(text, chunk.start, chunk.end, `${name} piece in place at ${chunk.start}`), `${name}: refused the piece in place at ${chunk.start}`);
        }
      }
    }
  });

  it("agrees with yaml on comments that end ranges: indented below a value, trailing a nested map, between items", () => {
    const cases = [
      "a:\n  x: 1\n  # c\nb: 2\n",
      "a:\n  x: 1\n # c\nb: 2\n",
      "a:\n  x: 1\n  # c\n\n  # d\nb: 2\n",
      "a:\n  x: 1\n  # c\n\n   \nb: 2\n",
      "a:\n  x: 1\n  # c\n\n  b: 2\n",
      "  - a: 1\n  # c\n",
      "- a:b\n  # note\n",
      "- 'a # b'\n- \"d\"\n   # c\n",
      "a: # c\n  x: 1\n",
      "a:\n  # c\n  x: 1\n",
      "steps:\n  - id: a\n    extract: {connection: raw, path: a.csv}\n  # loads\n  - id: b\n",
    ];
    for (const text of cases) assert.ok(agrees(text, "case"), `refused ${JSON.stringify(text)}`);
  });

  it("a flow-map key with spaces before its colon (`{b : 1}`) is left to yaml, which ends the key at its text", () => {
    for (const text of ["a: {b : 1}\n", "a:\n  - {column- : status, values: [p]}\n", "a: {'b'  : 1, c: 2}\n"]) {
      assert.equal(agrees(text, "case"), false, `took ${JSON.stringify(text)}`);
    }
    assert.ok(agrees("a: {b: 1 , c: [x , y] }\n", "case"));
  });

  it("refuses what it does not copy: anchors, tags, block scalars, multi-line scalars, tabs, CR, documents", () => {
    for (const text of ["a: &x 1\nb: *x\n", "a: !t 1\n", "q: |\n  select 1\n", "d: long\n  text\n", "a:\t1\n", "a: 1\r\nb: 2\r\n", "---\na: 1\n", "a: 1\n---\nb: 2\n", "<<: {a: 1}\n", "a: 1\na: 2\n", "a: [1,\n  2]\n"]) {
      assert.equal(parseBlockYaml(text), undefined, JSON.stringify(text));
    }
  });

  it("leaves deep nesting to yaml instead of overflowing the stack", () => {
    assert.equal(parseBlockYaml(`a: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`), undefined);
    assert.equal(parseBlockYaml(`a: ${"{b: ".repeat(5000)}1${"}".repeat(5000)}\n`), undefined);
    const blocks = Array.from({ length: 5000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n";
    assert.equal(parseBlockYaml(blocks), undefined);
    const seqs = Array.from({ length: 5000 }, (_, i) => `${" ".repeat(2 * i)}- `).join("\n") + "x\n";
    assert.equal(parseBlockYaml(seqs), undefined);
    assert.ok(parseBlockYaml(`a: ${"[".repeat(30)}1${"]".repeat(30)}\n`), "nesting a pipeline could have still takes the fast path");
  });

  it("never differs from yaml on 20,000 random documents", () => {
    const rnd = random(20261202);
    let taken = 0;
    for (let i = 0; i < 20_000; i++) if (agrees(randomYaml(rnd), `random document ${i}`)) taken++;
    assert.ok(taken > 1000, `the fast path took only ${taken} documents: the test has stopped testing it`);
  });

  it("never differs from yaml on 4,000 random edits of real pipelines", () => {
    const rnd = random(7);
    const files = pipelineFiles(12);
    let taken = 0;
    for (let i = 0; i < 4000; i++) {
      let text = (files[i % files.length] as { text: string }).text;
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) text = mutate(text, rnd);
      if (agrees(text, `edit ${i}`)) taken++;
    }
    assert.ok(taken > 400, `the fast path took only ${taken} edited files`);
  });
});
