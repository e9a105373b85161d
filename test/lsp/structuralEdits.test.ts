/**
 * Random sequences of structural edits (issue 24: adding, deleting, moving and pasting steps,
 * renaming ids, changing `depends_on`, lines that shift everything below), sent to the bundled
 * server as range edits of one open document. After every edit the document's diagnostics must be
 * exactly those of a fresh open of the same text in the same server, and those a fresh
 * `validatePipeline` gives: what the server keeps between versions (pieces, per-step results, the
 * graph, moved positions) never shows. `FUZZ_SEED=<n>` replays a run.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { toDiagnostic } from "../../server/src/language/diagnostics";
import { plainDiagnostic } from "../../server/src/language/plainText";
import { validatePipeline } from "../../server/src/pipeline/validate";
import { fuzzCount, fuzzSeed, seededRng, type Rng } from "../support/mutate";
import { LspClient } from "./client";
import { ensureBuilt } from "./fixtures";
import { generatePipeline } from "./generate";

const EDITS = fuzzCount(80);
/** Diagnostics the server adds from live analysis: not part of a validation. */
const LIVE = new Set(["source-unavailable", "unknown-column", "live-analysis-untrusted", "secret-file-outside", "live-analysis-limit"]);
const SERVER_ENV = { PATH: process.env.PATH ?? "", DATABASE_URL: "postgres://localhost/x" };

let client: LspClient;
let dir: string;

before(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "agent-etl-structural-"));
  client = await LspClient.start({ rootUri: pathToFileURL(dir).toString(), env: { ...SERVER_ENV, ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}) } });
});
after(async () => client.stop());

/** Where each step item starts, and the id of each. */
function steps(text: string): { starts: number[]; ids: string[] } {
  const found = [...text.matchAll(/^ {2}- id: (\S*)/gm)];
  return { starts: found.map((m) => m.index ?? 0), ids: found.map((m) => m[1] ?? "") };
}

/** The text of the step item starting at `start`. */
function stepText(text: string, starts: number[], start: number): string {
  return text.slice(start, starts.find((s) => s > start) ?? text.length);
}

function newStep(rng: Rng, ids: string[]): string {
  const id = rng.next() < 0.2 ? rng.pick(ids) : `s${rng.int(1000)}`;
  const dep = rng.next() < 0.15 ? "ghost_step" : rng.pick(ids);
  return rng.pick([
    `  - id: ${id}\n    depends_on: [${dep}]\n    transform:\n      - filter: amount > 0\n`,
    `  - id: ${id}\n    extract:\n      connection: warehouse\n      table: public.t_${id}\n`,
    `  - id: ${id}\n    depends_on: [${dep}]\n    load: {connection: lake, key: out/${id}.csv}\n`,
  ]);
}

/** One structural edit of `text`; the name says which, for a failure's report. */
function structuralEdit(text: string, rng: Rng): { text: string; op: string } {
  const { starts, ids } = steps(text);
  const at = starts.length > 0 ? rng.pick(starts) : text.length;
  const step = stepText(text, starts, at);
  const end = at + step.length;
  const ops: [string, () => string][] = [
    ["add a step", () => text.slice(0, at) + newStep(rng, ids) + text.slice(at)],
    ["delete a step", () => text.slice(0, at) + text.slice(end)],
    ["rename a step id", () => text.slice(0, at) + step.replace(/^( {2}- id: )\S*/, `$1${rng.next() < 0.3 ? rng.pick(ids) : `renamed_${rng.int(100)}`}`) + text.slice(end)],
    ["change a depends_on", () => text.slice(0, at) + step.replace(/depends_on: \[[^\]]*\]/, `depends_on: [${rng.pick(ids)}${rng.next() < 0.5 ? `, ${rng.pick(ids)}` : ""}]`) + text.slice(end)],
    ["add a depends_on", () => text.slice(0, at) + step.replace(/\n/, `\n    depends_on: [${rng.pick(ids)}]\n`) + text.slice(end)],
    ["insert lines above a step", () => text.slice(0, at) + rng.pick(["\n", "  # note\n", "\n\n  # two\n"]) + text.slice(at)],
    ["delete a line", () => {
      const lineStart = text.lastIndexOf("\n", at + rng.int(Math.max(step.length, 1))) + 1;
      const lineEnd = text.indexOf("\n", lineStart);
      return text.slice(0, lineStart) + (lineEnd < 0 ? "" : text.slice(lineEnd + 1));
    }],
    ["paste steps", () => text.slice(0, at) + Array.from({ length: 2 + rng.int(20) }, () => newStep(rng, ids)).join("") + text.slice(at)],
    ["move a step", () => {
      const rest = text.slice(0, at) + text.slice(end);
      const to = steps(rest).starts;
      const where = to.length > 0 ? rng.pick(to) : rest.length;
      return rest.slice(0, where) + step + rest.slice(where);
    }],
  ];
  const [op, apply] = rng.pick(ops);
  return { text: apply(), op };
}

/** The one range edit that turns `before` into `after` (common head and tail kept). */
function rangeEdit(before: string, after: string) {
  let head = 0;
  while (head < before.length && head < after.length && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  const doc = TextDocument.create("file:///x", "etl-pipeline", 0, before);
  return { range: { start: doc.positionAt(head), end: doc.positionAt(before.length - tail) }, text: after.slice(head, after.length - tail) };
}

const shape = (d: Diagnostic) => ({ code: d.code, message: d.message, range: d.range, severity: d.severity });
const own = (ds: Diagnostic[]) => ds.filter((d) => !LIVE.has(String(d.code))).map(shape);

function expected(uri: string, text: string) {
  const document = TextDocument.create(uri, "etl-pipeline", 0, text);
  return validatePipeline(text, { envNames: new Set(Object.keys(SERVER_ENV)) }).problems.map((p) => shape(plainDiagnostic(toDiagnostic(document, p))));
}

describe("structural edits in the language server", () => {
  it(`${EDITS} random structural edits: each version's diagnostics equal a fresh open's and a fresh validation's`, async () => {
    const seed = fuzzSeed();
    console.log(`structural edits: seed ${seed} (FUZZ_SEED=${seed} replays)`);
    const rng = seededRng(seed);
    const uri = pathToFileURL(join(dir, "edited.etl.yaml")).toString();
    let current = generatePipeline(150);
    await client.open(uri, current);
    await client.diagnostics(uri, { version: 1 });
    let withProblems = 0;
    for (let i = 0; i < EDITS; i++) {
      const { text, op } = structuralEdit(current, rng);
      const edit = rangeEdit(current, text);
      const from = client.published.length;
      const version = await client.edit(uri, edit.range, edit.text);
      try {
        const got = own((await client.diagnostics(uri, { version, from })).diagnostics);
        assert.deepStrictEqual(got, expected(uri, text));
        if (got.length > 0) withProblems++;
        const fresh = pathToFileURL(join(dir, `fresh_${i}.etl.yaml`)).toString();
        const freshFrom = client.published.length;
        await client.open(fresh, text);
        const opened = own((await client.diagnostics(fresh, { version: 1, from: freshFrom })).diagnostics);
        await client.close(fresh);
        // Same text under another name: the same diagnostics, position for position.
        assert.deepStrictEqual(got, opened);
      } catch (err: unknown) {
        throw new Error(`structural edits failed: seed ${seed}, edit ${i} (${op})\ntext before: ${JSON.stringify(current)}\ntext after: ${JSON.stringify(text)}\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, { cause: err });
      }
      current = text;
    }
    // The edits break references, ids and inputs: the comparison is over real diagnostics, not empty lists.
    assert.ok(withProblems > EDITS / 4, `only ${withProblems} of ${EDITS} versions had diagnostics`);
  });
});
