/**
 * The language server's net for its own bugs: the real `LanguageServer` on a real LSP connection (in
 * memory, spoken to with vscode-jsonrpc), with a fault put into our own validator. A failure becomes an
 * `internal-error` diagnostic and a log line; requests get their empty answer; nothing is left
 * unhandled; the next version is checked afresh.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PassThrough } from "node:stream";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { createConnection, TextDocuments } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "vscode-languageserver";
import { LanguageServer } from "../../../server/src/language/languageServer";
import { PiecewiseValidator } from "../../../server/src/pipeline/piecewise";
import { VALID } from "../helpers";
import { poll } from "../../lsp/client";

const URI = "file:///tmp/faulty.etl.yaml";
const FAULT = "# trigger-internal-fault\n";

describe("a bug in the server's own code on one document", () => {
  const published: { version?: number; diagnostics: Diagnostic[] }[] = [];
  const logs: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  const update = PiecewiseValidator.prototype.update;
  let client: MessageConnection;
  let version = 1;

  before(async () => {
    // The fault: our validator throws on a marked text, as a bug on some input would.
    PiecewiseValidator.prototype.update = function (this: PiecewiseValidator, text, context) {
      if (text.startsWith(FAULT)) throw new TypeError("injected fault");
      return update.call(this, text, context);
    };
    process.on("unhandledRejection", onUnhandled);
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const connection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
    const documents = new TextDocuments(TextDocument);
    new LanguageServer(connection, documents).register();
    documents.listen(connection);
    connection.listen();
    client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    client.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      if (p.uri === URI) published.push(p);
    });
    client.onNotification("window/logMessage", (p: { message: string }) => logs.push(p.message));
    client.listen();
    await client.sendRequest("initialize", { processId: null, rootUri: null, capabilities: {} });
    await client.sendNotification("initialized", {});
  });

  after(() => {
    PiecewiseValidator.prototype.update = update;
    process.off("unhandledRejection", onUnhandled);
    client.dispose();
  });

  const diagnosticsOf = (v: number) => poll(() => published.find((p) => p.version === v), 10_000, `diagnostics v${v}`);

  it("becomes an internal-error diagnostic and a log line with the stack, not an exit", async () => {
    await client.sendNotification("textDocument/didOpen", { textDocument: { uri: URI, languageId: "etl-pipeline", version, text: FAULT + VALID } });
    const { diagnostics } = await diagnosticsOf(version);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.code, "internal-error");
    assert.equal(diagnostics[0]?.severity, 1);
    assert.deepEqual(diagnostics[0]?.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.match(diagnostics[0]?.message ?? "", /^agent-etl failed while checking this file \(TypeError: injected fault\): a bug in agent-etl, not a mistake in this file.*please report it/);
    const line = await poll(() => logs.find((l) => l.includes("[internal-error]")), 5000, "log line");
    assert.match(line, new RegExp(`checking this file failed on ${URI} \\(version 1\\): TypeError: injected fault\\n\\s+at `));
  });

  it("a request on the same document gets its empty answer, not an error response", async () => {
    const position = { line: 3, character: 4 };
    assert.equal(await client.sendRequest("textDocument/hover", { textDocument: { uri: URI }, position }), null);
    assert.equal(await client.sendRequest("textDocument/documentSymbol", { textDocument: { uri: URI } }), null);
    assert.ok(logs.some((l) => l.includes("hovering failed on")));
  });

  it("the next version is checked afresh, and nothing was left unhandled", async () => {
    version++;
    await client.sendNotification("textDocument/didChange", { textDocument: { uri: URI, version }, contentChanges: [{ text: VALID }] });
    assert.deepEqual((await diagnosticsOf(version)).diagnostics, []);
    const symbols = await client.sendRequest<unknown[]>("textDocument/documentSymbol", { textDocument: { uri: URI } });
    assert.ok(Array.isArray(symbols) && symbols.length > 0);
    // A refusal the protocol expects (a rename to a bad name) still reaches the client as an error.
    await assert.rejects(client.sendRequest("textDocument/rename", { textDocument: { uri: URI }, position: { line: 9, character: 10 }, newName: "Bad Name" }), /not a valid step id/);
    assert.deepEqual(unhandled, []);
  });
});
