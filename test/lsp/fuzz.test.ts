/**
 * Seeded mutations (test/support/mutate.ts) sent to the bundled server over stdio as an editor sends
 * them: each one a range edit of the open document. The server must stay alive and answer, and each
 * version's diagnostics must be exactly what a fresh `validatePipeline` of the same text gives (codes,
 * messages, ranges; live-analysis ones aside). `FUZZ_SEED=<n>` replays a run; the in-process fuzzer
 * (test/unit/pipeline/mutationFuzz.test.ts) runs many more cases.
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
import { fuzzSeed, mutate, pipelineCorpus, seededRng, type Rng } from "../support/mutate";
import { LspClient, ROOT } from "./client";
import { ensureBuilt } from "./fixtures";

const COUNT = 100;
/** Diagnostics the server adds from live analysis of the connections and its notes: not part of a validation. */
const LIVE = new Set(["source-unavailable", "unknown-column", "live-analysis-untrusted", "secret-file-outside", "live-analysis-limit"]);
/** The server's whole environment: its names are the set ones (`PRESENT`), every `FUZZ_*` one is missing. */
const SERVER_ENV = { PATH: process.env.PATH ?? "", PRESENT: "1" };

let client: LspClient;
let dir: string;

before(async () => {
  ensureBuilt();
  // No `.env` anywhere near: the server's names are exactly SERVER_ENV's.
  dir = mkdtempSync(join(tmpdir(), "agent-etl-fuzz-"));
  client = await LspClient.start({ rootUri: pathToFileURL(dir).toString(), env: { ...SERVER_ENV, ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}) } });
});
after(async () => client.stop());

/**
 * The one range edit that turns `before` into `after` (common head and tail kept). Its ends never
 * fall between the `\r` and `\n` of a line break: no LSP position can name that place.
 */
function rangeEdit(before: string, after: string) {
  let head = 0;
  while (head < before.length && head < after.length && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  if (head > 0 && before[head - 1] === "\r" && before[head] === "\n") head--;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  const end = before.length - tail;
  if (tail > 0 && before[end - 1] === "\r" && before[end] === "\n") tail--;
  const doc = TextDocument.create("file:///x", "etl-pipeline", 0, before);
  return { range: { start: doc.positionAt(head), end: doc.positionAt(before.length - tail) }, text: after.slice(head, after.length - tail) };
}

function expected(uri: string, text: string): Pick<Diagnostic, "code" | "message" | "range" | "severity">[] {
  const document = TextDocument.create(uri, "etl-pipeline", 0, text);
  return validatePipeline(text, { envNames: new Set(Object.keys(SERVER_ENV)) }).problems.map((p) => shape(plainDiagnostic(toDiagnostic(document, p))));
}

const shape = (d: Diagnostic) => ({ code: d.code, message: d.message, range: d.range, severity: d.severity });

/** A request at a random place that must be answered (null is an answer). */
async function ask(uri: string, text: string, rng: Rng): Promise<void> {
  const doc = TextDocument.create(uri, "etl-pipeline", 0, text);
  const position = doc.positionAt(rng.int(text.length + 1));
  const method = rng.pick(["textDocument/completion", "textDocument/hover", "textDocument/documentSymbol", "textDocument/definition", "textDocument/formatting", "agent-etl/dag"]);
  const params = method === "agent-etl/dag" ? { uri } : { textDocument: { uri }, position, options: { tabSize: 2, insertSpaces: true } };
  await client.request(method, params);
}

describe("the bundled server under seeded mutations", () => {
  it("a missing-env below an edit that joins or splits a \\r\\n stays on its line", async () => {
    const uri = pathToFileURL(join(dir, "crlf.etl.yaml")).toString();
    let text = "version: 1\nname: p\nconnections:\n  db:\n    type: postgres\n    url: ${env:FUZZ_MISSING}\nsteps:\n  - id: a\n    extract: {connection: db, table: t}\n";
    await client.open(uri, text);
    // Each edit names only places an LSP position can name (never between a `\r` and its `\n`).
    const edits: ((t: string) => [number, number, string])[] = [
      (t) => [t.indexOf("\nname"), t.indexOf("\nname"), "\r"], // "1" + "\r" + "\n": one line break, not two
      (t) => [t.indexOf("\r\n"), t.indexOf("\r\n") + 2, "\n"], // back to "\n"
      (t) => [t.indexOf("p\n") + 1, t.indexOf("p\n") + 1, "\rX"], // a lone "\r": a line break of its own
      (t) => [t.indexOf("\rX") + 1, t.indexOf("\rX") + 2, ""], // "X" deleted: "\r" and "\n" join
    ];
    for (const make of edits) {
      const [start, end, insert] = make(text);
      const before = TextDocument.create(uri, "etl-pipeline", 0, text);
      const from = client.published.length;
      const version = await client.edit(uri, { start: before.positionAt(start), end: before.positionAt(end) }, insert);
      text = text.slice(0, start) + insert + text.slice(end);
      const got = await client.diagnostics(uri, { version, from });
      const missing = got.diagnostics.find((d) => d.code === "missing-env");
      assert.deepEqual(missing?.range.start, TextDocument.create(uri, "etl-pipeline", 0, text).positionAt(text.indexOf("${env:")), JSON.stringify(text));
      assert.deepStrictEqual(got.diagnostics.filter((d) => !LIVE.has(String(d.code))).map(shape), expected(uri, text));
    }
  });

  it(`${COUNT} edits sent as range changes: alive, answering, diagnostics equal to a fresh validation`, async () => {
    const seed = fuzzSeed();
    console.log(`lsp fuzz: seed ${seed} (FUZZ_SEED=${seed} replays)`);
    const rng = seededRng(seed);
    const corpus = pipelineCorpus(ROOT);
    let session = -1;
    let uri = "";
    let current = "";
    let base = "";
    for (let i = 0; i < COUNT; i++) {
      if (i % 20 === 0) {
        session++;
        const file = rng.pick(corpus);
        uri = pathToFileURL(join(dir, `s${session}.etl.yaml`)).toString();
        base = current = file.text;
        await client.open(uri, current);
        await client.diagnostics(uri, { version: 1 });
      }
      const { text, ops } = mutate(rng.next() < 0.6 ? current : base, rng);
      const edit = rangeEdit(current, text);
      // The edit, applied as the server applies it, gives the mutated text.
      const mirror = TextDocument.create(uri, "etl-pipeline", 0, current);
      TextDocument.update(mirror, [edit], 1);
      assert.equal(mirror.getText(), text, `edit ${i}: ${JSON.stringify(edit)}`);
      const from = client.published.length;
      const version = await client.edit(uri, edit.range, edit.text);
      try {
        const got = await client.diagnostics(uri, { version, from });
        assert.deepStrictEqual(got.diagnostics.filter((d) => !LIVE.has(String(d.code))).map(shape), expected(uri, text));
        await ask(uri, text, rng);
      } catch (err: unknown) {
        const detail = [`lsp fuzz failed: seed ${seed}, edit ${i} (${ops.join(" + ")})`, `text before: ${JSON.stringify(current)}`, `text after: ${JSON.stringify(text)}`];
        throw new Error(`${detail.join("\n")}\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, { cause: err });
      }
      current = text;
    }
    assert.equal(client.process.exitCode, null, "the server is still running");
    assert.equal(client.process.signalCode, null);
  });
});
