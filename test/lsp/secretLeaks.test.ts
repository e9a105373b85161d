/**
 * No credential leaks from the language server's live analysis, in any encoding, when servers
 * quote requests back (see test/integration/http/secretLeaks.test.ts for the CLI): every byte the
 * server writes (LSP messages, its stderr) and its analysis cache are scanned.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REFRESH_SOURCES_REQUEST, type RefreshSourcesResult } from "../../server/src/protocol";
import { startApi, type TestApi } from "../support/httpServer";
import { filesUnder, findLeaks, leakyPipeline, makeSecrets, secretEnv, type LeakSecrets } from "../support/secretScan";
import { LspClient, poll } from "./client";
import { ensureBuilt, makeWorkspace, type Workspace } from "./fixtures";

let client: LspClient;
let ws: Workspace;
let api: TestApi;
let secrets: LeakSecrets;
let cache: string;
let wire = "";

before(async () => {
  ensureBuilt();
  api = await startApi([{ id: 1 }]);
  secrets = makeSecrets();
  ws = makeWorkspace();
  cache = mkdtempSync(join(tmpdir(), "agent-etl-leak-cache-"));
  // A trusted workspace: live analysis reaches the server (and would send the credentials) only then.
  client = await LspClient.start({ rootUri: ws.uri, initializationOptions: { workspaceTrusted: true }, env: { ...process.env, ...secretEnv(secrets), XDG_CACHE_HOME: cache } });
  client.process.stdout?.on("data", (d: Buffer) => (wire += d.toString("utf8")));
  client.process.stderr?.on("data", (d: Buffer) => (wire += d.toString("utf8")));
});
after(async () => {
  await client?.stop();
  await api?.close();
  rmSync(cache, { recursive: true, force: true });
});

describe("live analysis never shows a credential a server echoed", () => {
  it("diagnostics, refresh answers, every LSP message and the cache are clean", async () => {
    const text = leakyPipeline(api.url);
    const uri = ws.fileUri("leaky.etl.yaml");
    writeFileSync(join(ws.dir, "leaky.etl.yaml"), text);
    await client.open(uri, text);
    const unavailable = await poll(() => {
      const last = client.published.filter((p) => p.uri === uri).at(-1);
      const found = last?.diagnostics.filter((d) => d.code === "source-unavailable") ?? [];
      return found.length === 3 ? found : undefined;
    }, 60_000, "one source-unavailable per connection");
    assert.ok(unavailable.some((d) => /\*\*\*/.test(d.message)), "the echoed credentials were masked, not absent");
    const refreshed = await client.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri });
    assert.deepEqual(refreshed.failed.map((f) => f.connection).sort(), ["basic", "bearer", "keyed"]);
    // Every route was asked with the real credentials.
    assert.ok(api.requests.some((r) => r.headers.authorization === `Basic ${Buffer.from(`${secrets.user}:${secrets.password}`).toString("base64")}`));
    assert.ok(api.requests.some((r) => r.headers["x-api-key"] === secrets.apiKey));
    await client.close(uri);
    assert.deepEqual(findLeaks({ "LSP traffic and stderr": wire, ...Object.fromEntries(filesUnder(cache)) }, secrets), []);
  });
});
