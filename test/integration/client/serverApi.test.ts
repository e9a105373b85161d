/** The extension's ServerApi against the real language server (dist/server.js over stdio). */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { LanguageClient } from "vscode-languageclient/node";
import { requestFailure, ServerApi } from "../../../client/src/serverApi";
import { LspClient } from "../../lsp/client";
import { ensureBuilt } from "../../lsp/fixtures";

const PIPELINE = `version: 1
name: orders
connections:
  files:
    type: file
    root: ./data
steps:
  - id: read
    extract: { connection: files, path: "orders.csv", format: csv }
  - id: tidy
    depends_on: [read]
    transform:
      - filter: "amount > 0"
  - id: write
    depends_on: [tidy]
    load: { connection: files, path: "out.jsonl", format: jsonl }
`;

describe("ServerApi (client/src/serverApi.ts) with the real language server", () => {
  let lsp: LspClient;
  let api: ServerApi;
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-serverapi-"));
  const uri = pathToFileURL(join(dir, "orders.etl.yaml")).toString();

  before(async () => {
    ensureBuilt();
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "orders.csv"), "id,amount\n1,5\n2,0\n");
    lsp = await LspClient.start({ rootUri: pathToFileURL(dir).toString() });
    // ServerApi needs only sendRequest; the language client's is a JSON-RPC request like this one.
    const client = { sendRequest: (method: string, params: unknown) => lsp.connection.sendRequest(method, params) };
    api = new ServerApi(client as unknown as LanguageClient);
    await lsp.open(uri, PIPELINE);
  });
  after(async () => {
    await lsp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("dag() answers the graph of the open document", async () => {
    const dag = await api.dag(uri);
    assert.equal(dag.name, "orders");
    assert.deepEqual(dag.nodes.map((n) => n.id), ["read", "tidy", "write"]);
    assert.deepEqual(dag.edges, [{ from: "read", to: "tidy" }, { from: "tidy", to: "write" }]);
    assert.deepEqual(dag.levels, [["read"], ["tidy"], ["write"]]);
    assert.equal(dag.errorCount, 0);
  });

  it("steps() answers the steps without descriptions", async () => {
    const { steps } = await api.steps(uri);
    assert.deepEqual(steps.map((s) => s.id), ["read", "tidy", "write"]);
    assert.ok(steps.every((s) => !("description" in s)));
  });

  it("refreshSources() analyses the named connection again and says how it went", async () => {
    const result = await api.refreshSources(uri, "files");
    const named = [...result.refreshed, ...result.failed.map((f) => f.connection)];
    assert.ok(named.every((n) => n === "files"), `only the named connection is refreshed: ${JSON.stringify(result)}`);
    const all = await api.refreshSources(uri);
    assert.ok(Array.isArray(all.refreshed) && Array.isArray(all.failed));
  });

  it("a document the server does not have: steps() falls back to dag(), which fails too, with the server's reason", async () => {
    const missing = pathToFileURL(join(dir, "not-open.etl.yaml")).toString();
    await assert.rejects(api.steps(missing), (err: Error) => requestFailure(err).length > 0 && !/does not answer/.test(requestFailure(err)));
  });

  it("requestFailure() explains a request the server does not implement", async () => {
    const err = await lsp.connection.sendRequest("agent-etl/noSuchRequest", {}).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error, "the server rejects an unknown request");
    assert.equal(requestFailure(err), "the language server does not answer this request (is it up to date?)");
    assert.equal(requestFailure("plain text"), "plain text");
  });
});
