// The incremental validator must report exactly what validatePipeline reports, for any text.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { PiecewiseValidator } from "../../server/src/pipeline/piecewise";
import { validatePipeline } from "../../server/src/pipeline/validate";
import { generatePipeline } from "./generate";
import { outlineFacts } from "../support/outlineFacts";
import { random } from "../support/random";

const VARIED = [
  "# a pipeline with comments, flow style, quotes and block scalars",
  "version: 1",
  "name: orders_daily",
  "description: |",
  "  Reads orders.",
  "",
  "  Keeps the paid ones.",
  "params:",
  "  region: eu",
  "connections:",
  "  raw: {type: file, root: ./data}",
  "  db:",
  "    type: postgres",
  "    url: postgres://app:hunter2@db:5432/shop",
  "  out:",
  "    type: file",
  "steps:",
  "- id: orders",
  "  extract:",
  "    connection: raw",
  "    path: 'orders.csv'",
  "# between steps",
  "- id: \"paid\"",
  "  depends_on:",
  "    - orders",
  "  transform:",
  "    - filter: status = 'paid'",
  "    - derive: {cents: amount * 100}",
  "    - select: [id, amount]",
  "- id: save",
  "  depends_on: [paid]",
  "  load:",
  "    connection: out",
  "    path: paid.jsonl",
  "- id: report",
  "  depends_on: [save]",
  "  sql:",
  "    connection: db",
  "    query: >-",
  "      select 1",
  "",
].join("\n");

const SNIPPETS = [
  "\n", "  ", "- ", "id: x", "\"", "'", "#", ":", " ", "depends_on: [step_1]", "{", "}", "[", "]", ",", "\t", "&a ", "*a", "<<: *a\n",
  "|", ">", "step_2", "extract", "connection: lake", "\n  - id: step_3\n    extract: {connection: lake, key: a}\n", "\nname: again\n", "---\n",
  "retries: 99", "filter: amount >", "\n  - id: new_step\n    transform:\n      - limit: 1\n", "\nsteps:\n", "\r\n", "tags: [a, b]\n",
];

function edit(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const choice = rnd();
  if (choice < 0.35) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(rnd() * 12)));
  if (choice < 0.45) {
    const lines = text.split("\n");
    const i = Math.floor(rnd() * lines.length);
    lines.splice(i, 0, lines[Math.floor(rnd() * lines.length)] ?? "");
    return lines.join("\n");
  }
  return text.slice(0, at) + (SNIPPETS[Math.floor(rnd() * SNIPPETS.length)] ?? "") + text.slice(at);
}

/** An edit that keeps the YAML well-formed: renames a reference, adds or removes a step. */
function structuralEdit(text: string, rnd: () => number): string {
  const ids = [...text.matchAll(/step_\d+|orders|paid|save|report/g)];
  const pick = ids[Math.floor(rnd() * ids.length)];
  const choice = rnd();
  if (pick?.index !== undefined && choice < 0.5) {
    const other = ids[Math.floor(rnd() * ids.length)]?.[0] ?? "nope";
    return text.slice(0, pick.index) + (rnd() < 0.2 ? "ghost" : other) + text.slice(pick.index + pick[0].length);
  }
  const starts = [...text.matchAll(/^ *- id: /gm)].map((m) => m.index ?? 0);
  const at = starts[Math.floor(rnd() * starts.length)] ?? text.length;
  const indent = /^ */.exec(text.slice(at))?.[0] ?? "  ";
  if (choice < 0.75) {
    const next = starts.find((s) => s > at) ?? text.length;
    return text.slice(0, at) + text.slice(next);
  }
  const step = `${indent}- id: step_${Math.floor(rnd() * 50)}\n${indent}  depends_on: [step_${Math.floor(rnd() * 50)}]\n${indent}  load: {connection: lake, key: k.csv}\n`;
  return text.slice(0, at) + step + text.slice(at);
}

/** Edits aimed at what the incremental path caches: step boundaries, ids, dependencies, top-level keys, YAML breakage. */
function targetedEdit(text: string, rnd: () => number): string {
  const pickOf = <T,>(xs: T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
  const starts = [...text.matchAll(/^ *- id: /gm)].map((m) => m.index ?? 0);
  const ids = [...text.matchAll(/^ *- id: (\w+)/gm)].map((m) => m[1] ?? "x");
  const choice = Math.floor(rnd() * 9);
  if (choice === 0 && starts.length > 0) {
    // duplicate a step (and with it its id)
    const at = pickOf(starts) as number;
    const next = starts.find((x) => x > at) ?? text.length;
    return text.slice(0, next) + text.slice(at, next) + text.slice(next);
  }
  if (choice === 1) {
    // make a cycle: an early step depends on a later one
    const m = pickOf([...text.matchAll(/depends_on: \[(\w+)/g)]);
    const later = pickOf(ids);
    if (m?.index !== undefined && later) return text.slice(0, m.index) + `depends_on: [${later}` + text.slice(m.index + m[0].length);
  }
  if (choice === 2 && starts.length > 1) {
    // cut or join across a step boundary
    const at = (pickOf(starts) as number) - 1 - Math.floor(rnd() * 6);
    return at > 0 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 10)) : text;
  }
  if (choice === 3) {
    // a top-level key changes
    const keys = ["name: renamed_pipeline", "schedule: \"61 * * * *\"", "schedule: \"0 6 * * *\"", "owner: data", "tags: [a, a]", "defaults: {retries: 99}"];
    const line = pickOf(keys) as string;
    const key = line.slice(0, line.indexOf(":"));
    const existing = new RegExp(`^${key}:.*$`, "m").exec(text);
    return existing ? text.slice(0, existing.index) + line + text.slice(existing.index + existing[0].length) : `${line}\n${text}`;
  }
  if (choice === 4) {
    // break the YAML in a step, to be fixed by a later edit or a reset
    const at = pickOf(starts) ?? 0;
    return text.slice(0, at) + "    broken: [unclosed\n" + text.slice(at);
  }
  if (choice === 5) return text.replace("    broken: [unclosed\n", "");
  if (choice === 6 && starts.length > 0) {
    // a step item that is not a map (its message names its index, which moves when steps are added above)
    const at = pickOf(starts) as number;
    return text.slice(0, at) + "  - just a string\n" + text.slice(at);
  }
  if (choice === 7 && starts.length > 1) {
    // remove a step, so later steps change index
    const at = pickOf(starts) as number;
    const next = starts.find((x) => x > at) ?? text.length;
    return text.slice(0, at) + text.slice(next);
  }
  // a schema error inside a step: an unknown key or a bad value
  const at = pickOf(starts) ?? 0;
  const line = text.indexOf("\n", at) + 1;
  return text.slice(0, line) + (rnd() < 0.5 ? "    retries: 99\n" : "    retrys: 1\n") + text.slice(line);
}

function compare(base: string, seed: number, chains: number, steps: number, mutate?: (text: string, rnd: () => number) => string): { pieces: number; total: number } {
  const rnd = random(seed);
  let pieces = 0;
  let total = 0;
  const context = { envNames: new Set(["DATABASE_URL"]) };
  for (let c = 0; c < chains; c++) {
    const validator = new PiecewiseValidator();
    let text = base;
    for (let s = 0; s < steps; s++) {
      const r = rnd();
      text = mutate ? (r < 0.05 ? base : mutate(text, rnd)) : r < 0.25 ? base : r < 0.55 ? structuralEdit(text, rnd) : edit(text, rnd);
      const got = validator.update(text, context);
      const want = validatePipeline(text, context);
      assert.deepEqual(got.problems, want.problems, `chain ${c}, edit ${s}, seed ${seed}:\n${text}`);
      assert.deepEqual(outlineFacts(got.outline), outlineFacts(want.outline), `outline, chain ${c}, edit ${s}, seed ${seed}:\n${text}`);
      assert.deepEqual(got.dag.nodes, want.dag.nodes, `graph nodes, chain ${c}, edit ${s}, seed ${seed}`);
      assert.deepEqual(got.dag.edges, want.dag.edges, `graph edges, chain ${c}, edit ${s}, seed ${seed}`);
      assert.deepEqual([got.dag.order, got.dag.levels, got.dag.cycles], [want.dag.order, want.dag.levels, want.dag.cycles], `graph, chain ${c}, edit ${s}, seed ${seed}`);
      total++;
      if (validator.lastMode === "pieces") pieces++;
    }
  }
  return { pieces, total };
}

/** Piecewise (after `before`, and fresh) against a whole validation of `after`: problems, outline spans, graph. */
function agreeAfterEdit(before: string, after: string, label: string): void {
  const validator = new PiecewiseValidator();
  validator.update(before);
  const want = validatePipeline(after);
  for (const [name, got] of [["after an edit", validator.update(after)], ["fresh", new PiecewiseValidator().update(after)]] as const) {
    const where = `${label} (${name}):\n${JSON.stringify(before)}\n->\n${JSON.stringify(after)}`;
    assert.deepEqual(got.problems, want.problems, `problems, ${where}`);
    assert.deepEqual(outlineFacts(got.outline), outlineFacts(want.outline), `outline, ${where}`);
    assert.deepEqual(got.dag.nodes, want.dag.nodes, `graph, ${where}`);
  }
}

/**
 * Steps ending in comment and blank lines (at every indent around the step's) before the next step,
 * a top-level key or the end, with items at several indents and last values of every shape (a list,
 * a map, a flow value, a block scalar for the `yaml` path), and the edits around that tail.
 */
function stepTailCases(): { before: string; after: string; label: string }[] {
  const cases: { before: string; after: string; label: string }[] = [];
  for (const i of [0, 2, 4]) {
    const I = " ".repeat(i);
    const C = " ".repeat(i + 2);
    const bodies = [
      `${C}transform:\n${C}  - limit: 1\n${C}  - limit: 2\n`,
      `${C}load:\n${C}  connection: raw\n${C}  path: b.csv\n`,
      `${C}transform: [{limit: 1}]\n`,
      `${C}sql:\n${C}  connection: raw\n${C}  query: |\n${C}    select 1\n`,
    ];
    const lines = ["", ...[0, i, i + 2, i + 4].map((k) => `${" ".repeat(k)}# note`)];
    const tails = [[], ...lines.map((l) => [l]), ...lines.flatMap((l) => lines.map((m) => [l, m]))];
    const nexts = [`${I}- id: c\n${I}  depends_on: [b]\n${I}  transform: [{limit: 3}]\n`, "description: after\n", ""];
    const head = `version: 1\nname: p\nconnections:\n  raw: {type: file, root: ./data}\nsteps:\n${I}- id: a\n${I}  extract: {connection: raw, path: a.csv}\n${I}- id: b\n${I}  depends_on: [a]\n`;
    const added = `${I}- id: n\n${I}  transform: [{limit: 1}]\n`;
    for (const body of bodies)
      for (const tail of tails)
        for (const next of nexts) {
          const tailText = tail.map((l) => `${l}\n`).join("");
          const before = head + body + tailText + next;
          const lastLine = body.slice(body.lastIndexOf("\n", body.length - 2) + 1);
          const commented = body.slice(0, body.length - lastLine.length) + lastLine.replace(/^( *)/, "$1# ");
          const label = `items at ${i}, tail ${JSON.stringify(tail)}, next ${JSON.stringify(next.slice(0, 12))}`;
          cases.push({ before, after: head + commented + tailText + next, label: `${label}: last line commented out` });
          cases.push({ before, after: head + body + next, label: `${label}: tail removed` });
          cases.push({ before, after: head + body + tailText + added + next, label: `${label}: a step added after the tail` });
          if (next) cases.push({ before, after: head + body + tailText, label: `${label}: what follows removed` });
        }
  }
  return cases;
}

describe("incremental validation equals validatePipeline", () => {
  it("when a step's last list item becomes a comment line before a blank line and the next step", () => {
    const before = [
      "version: 1",
      "name: p",
      "connections:",
      "  raw: {type: file, root: ./data}",
      "steps:",
      "  - id: a",
      "    extract: {connection: raw, path: a.csv}",
      "  - id: b",
      "    depends_on: [a]",
      "    transform:",
      "      - limit: 1",
      "      # note",
      "      - limit: 2",
      "",
      "  - id: c",
      "    depends_on: [b]",
      "    transform: [{limit: 3}]",
      "",
    ].join("\n");
    const after = before.replace("# note\n      - limit: 2", "# note - limit: 2");
    agreeAfterEdit(before, after, "the reported edit");
    const outline = new PiecewiseValidator().update(after).outline;
    const b = outline.steps[1]?.span;
    assert.equal(after.slice(b?.end, after.indexOf("id: c")), "- ", "step b ends at the next step's dash, as in a whole parse");
  });

  it("for steps ending in comments and blank lines at every indent, before the next step, a key or the end, after edits", () => {
    const cases = stepTailCases();
    assert.ok(cases.length > 1000, `${cases.length} cases`);
    for (const { before, after, label } of cases) agreeAfterEdit(before, after, label);
  });

  it("on random edits of a varied file", () => {
    const { pieces, total } = compare(VARIED, 1, 8, 20);
    assert.ok(pieces > total / 3, `the piecewise path ran only ${pieces} of ${total} times`);
  });

  it("on random edits of a generated 40-step file", () => {
    const { pieces, total } = compare(generatePipeline(40), 7, 6, 20);
    assert.ok(pieces > total / 3, `the piecewise path ran only ${pieces} of ${total} times`);
  });

  it("on 300 targeted edits: duplicates, cycles, step boundaries, top-level keys, broken and fixed YAML", () => {
    const { pieces, total } = compare(generatePipeline(60), 11, 6, 50, targetedEdit);
    assert.ok(pieces > total / 3, `the piecewise path ran only ${pieces} of ${total} times`);
  });

  it("on random edits of every example pipeline", () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const path = join(dir, f);
        return statSync(path).isDirectory() ? walk(path) : /\.etl\.ya?ml$/.test(f) ? [path] : [];
      });
    const examples = walk(resolve(__dirname, "../../examples"));
    assert.ok(examples.length > 0, "examples/ holds pipelines");
    examples.forEach((file, i) => compare(readFileSync(file, "utf8"), 100 + i, 2, 15));
  });

  it("after a chain of renames, kind changes, duplicate ids, insertions and deletions of named steps", () => {
    // Steps that name no changed id keep their per-step results; these edits change what the named ids mean.
    const base = [
      "version: 1",
      "name: p",
      "connections:",
      "  raw: {type: file, root: ./data}",
      "steps:",
      "  - id: a",
      "    extract: {connection: raw, path: a.csv}",
      "  - id: b",
      "    depends_on: [a]",
      "    transform: [{limit: 1}]",
      "  - id: c",
      "    depends_on: [b, a]",
      "    input: b",
      "    transform: [{join: {with: a, on: [id]}}]",
      "  - id: d",
      "    depends_on: [c]",
      "    load: {connection: raw, path: d.csv}",
      "",
    ].join("\n");
    const dupA = "  - id: a\n    sql: {connection: raw, query: select 1}\n";
    const chain = [
      base.replace("- id: a\n", "- id: a2\n"),
      base,
      base.replace("- id: b\n", "- id: bb\n"),
      base.replace("- id: b\n", "- id: bb\n").replace("- id: c\n", "- id: b\n"),
      base,
      base.replace("    transform: [{limit: 1}]", "    sql: {connection: raw, query: select 1}"),
      base,
      base.replace("  - id: a\n", dupA + "  - id: a\n"),
      base.replace("  - id: b\n", dupA + "  - id: b\n"),
      base,
      base.replace("  - id: c\n    depends_on: [b, a]\n    input: b\n    transform: [{join: {with: a, on: [id]}}]\n", ""),
      base.replace("  - id: c\n    depends_on: [b, a]\n    input: b\n    transform: [{join: {with: a, on: [id]}}]\n", "").replace("- id: a\n", "- id: c\n"),
      base,
    ];
    const validator = new PiecewiseValidator();
    validator.update(base);
    for (const [k, text] of chain.entries()) {
      const got = validator.update(text);
      assert.equal(validator.lastMode, "pieces", `edit ${k} was validated piecewise`);
      assert.deepEqual(got.problems, validatePipeline(text).problems, `problems after edit ${k}:\n${text}`);
    }
    assert.ok(validatePipeline(chain[0] as string).problems.some((p) => p.code === "unknown-step"), "the chain reaches problems that renames cause");
  });

  it("reparses only the step an edit touched", () => {
    const validator = new PiecewiseValidator();
    const text = generatePipeline(300);
    validator.update(text);
    const edited = text.replace("table: public.orders_150", "table: public.orders_x");
    const got = validator.update(edited).problems;
    assert.equal(validator.lastMode, "pieces");
    assert.equal(validator.lastReparsed, 1);
    assert.deepEqual(got, validatePipeline(edited).problems);
  });
});
