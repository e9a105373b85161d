// Hostile files in the bundled language server (test/support/hostile.ts): capped diagnostics with
// the "N more" note, the refusal of an oversize file, and live analysis capped per document.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { MAX_FILE_BYTES, MAX_PROBLEMS } from "../../server/src/pipeline/limits";
import { extractFiles, largePipeline, manyFileExtracts, unknownKeys } from "../support/hostile";
import { LspClient, poll } from "./client";
import { ensureBuilt, makeWorkspace, type Workspace } from "./fixtures";

let client: LspClient;
let ws: Workspace;

before(async () => {
  ensureBuilt();
  ws = makeWorkspace();
  const cache = mkdtempSync(join(tmpdir(), "agent-etl-hostile-cache-"));
  client = await LspClient.start({ rootUri: ws.uri, env: { ...process.env, XDG_CACHE_HOME: cache } });
});
after(async () => client.stop());

describe("hostile files in the language server", () => {
  it("100,000 unknown keys: 200 diagnostics and one note counting the rest; the server keeps answering", async () => {
    const uri = ws.fileUri("keys.etl.yaml");
    await client.open(uri, unknownKeys(100000));
    const { diagnostics } = await client.diagnostics(uri, { version: 1, timeoutMs: 60_000 });
    assert.equal(diagnostics.length, MAX_PROBLEMS + 1);
    assert.ok(diagnostics.slice(0, MAX_PROBLEMS).every((d) => d.code === "schema" && d.severity === 1));
    const note = diagnostics[MAX_PROBLEMS] as Diagnostic;
    assert.equal(note.code, "too-many-problems");
    assert.ok(note.message.startsWith("99,800 more problems not shown (99,800 errors): only 200 of this file's 100,000 problems are listed"), note.message);
    const symbols = await client.request<unknown[]>("textDocument/documentSymbol", { textDocument: { uri } });
    assert.ok(Array.isArray(symbols));
    await client.close(uri);
  });

  it("a file over the size limit gets one error on its first line and is neither parsed nor formatted", async () => {
    const uri = ws.fileUri("large.etl.yaml");
    await client.open(uri, largePipeline(MAX_FILE_BYTES + 1));
    const { diagnostics } = await client.diagnostics(uri, { version: 1, timeoutMs: 60_000 });
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.range.start]),
      [["file-too-large", 1, { line: 0, character: 0 }]],
    );
    assert.match(diagnostics[0]?.message ?? "", /^this file is 3 MB \([\d,]+ bytes\); pipeline files over 3 MB \(3,145,728 bytes\) are not checked\. Split it/);
    assert.deepEqual(await client.request("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }), []);
    assert.deepEqual(await client.request("textDocument/documentSymbol", { textDocument: { uri } }), []);
    await client.close(uri);
  });

  it("live analysis reads at most 200 sources per document and says which extracts it left out", async () => {
    const n = 250;
    const root = join(ws.dir, "many");
    mkdirSync(root);
    for (const f of extractFiles(n)) writeFileSync(join(root, f.name), f.text);
    const uri = ws.fileUri("extracts.etl.yaml");
    // A wrong column after the first extract (analysed) and after the last one (not analysed).
    const text = manyFileExtracts(n, "./many", (i) => i === 0 || i === n - 1);
    await client.open(uri, text);
    const published = await poll(() => client.published.find((p) => p.uri === uri && p.diagnostics.some((d) => d.code === "unknown-column")), 60_000, "unknown-column");
    const codes = published.diagnostics.map((d) => d.code).sort();
    assert.deepEqual(codes, ["live-analysis-limit", "unknown-column"]);
    const unknown = published.diagnostics.find((d) => d.code === "unknown-column") as Diagnostic;
    assert.equal(unknown.range.start.line, text.split("\n").findIndex((l) => l.includes("no_such_column")));
    const limit = published.diagnostics.find((d) => d.code === "live-analysis-limit") as Diagnostic;
    assert.equal(limit.severity, 3);
    assert.equal(limit.range.start.line, text.split("\n").indexOf("  - id: read_200"));
    assert.match(limit.message, /^live analysis reads at most 200 sources per file: the columns of 50 more extracts, from this one on, are not checked/);
    await client.close(uri);
  });
});
