// Opening a file must not send the user's secrets to the hosts it names: the bundled server, over
// stdio, with a loopback API that records every request and a real PostgreSQL behind a relay that
// counts connections. Without `initializationOptions.workspaceTrusted` nothing reaches either; with
// it, analysis works; `${file:}` is read only inside the workspace folders and `agentEtl.secretFolders`.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { REFRESH_SOURCES_REQUEST, type RefreshSourcesResult } from "../../server/src/protocol";
import { startApi, type TestApi } from "../support/httpServer";
import { countingProxy, type CountingProxy } from "../support/net";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { LspClient, poll } from "./client";
import { ensureBuilt, makeWorkspace, pos, yaml, type Workspace } from "./fixtures";

let api: TestApi;
let pg: TestPostgres;
let relay: CountingProxy;
let ws: Workspace;
let untrusted: LspClient;
let trusted: LspClient;
let outside: string;
const secretFolders: string[] = [];
const token = `tok-${randomBytes(12).toString("hex")}`;
const outsideSecret = `out-${randomBytes(12).toString("hex")}`;
const insideSecret = `in-${randomBytes(12).toString("hex")}`;
let n = 0;

const cacheEnv = () => ({ ...process.env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "agent-etl-trust-cache-")) });

before(async () => {
  ensureBuilt();
  [api, pg] = await Promise.all([startApi([{ id: 1, name: "ada" }]), startPostgres()]);
  relay = await countingProxy(pg.port);
  ws = makeWorkspace();
  appendFileSync(join(ws.dir, ".env"), `TRUST_TOKEN=${token}\nTRUST_PG_PASSWORD=${pg.password}\n`);
  outside = mkdtempSync(join(tmpdir(), "agent-etl-outside-"));
  writeFileSync(join(outside, "secret.txt"), `${outsideSecret}\n`);
  writeFileSync(join(ws.dir, "inside.txt"), `${insideSecret}\n`);
  symlinkSync(join(outside, "secret.txt"), join(ws.dir, "link.txt"));
  untrusted = await LspClient.start({ rootUri: ws.uri, env: cacheEnv() });
  trusted = await LspClient.start({
    rootUri: ws.uri,
    env: cacheEnv(),
    initializationOptions: { workspaceTrusted: true },
    configuration: (section) => (section === "agentEtl" ? { secretFolders } : null),
  });
});
after(async () => {
  await Promise.all([untrusted?.stop(), trusted?.stop()]);
  await Promise.all([api?.close(), relay?.close()]);
  await pg?.stop();
});

/** A pipeline naming the API (token from `${env:}`), the database (password from `${env:}`) and local files. */
function secretsPipeline(doc: string): string {
  return yaml(
    "version: 1",
    "name: trust",
    "connections:",
    "  api:",
    "    type: http",
    `    base_url: ${api.url}`,
    '    headers: {Authorization: "Bearer ${env:TRUST_TOKEN}"}',
    "  db:",
    "    type: postgres",
    `    url: postgres://postgres:\${env:TRUST_PG_PASSWORD}@127.0.0.1:${relay.port}/postgres`,
    "  files:",
    "    type: file",
    "    root: ./data",
    "steps:",
    "  - id: people",
    `    extract: {connection: api, path: /echo, query: {doc: "${doc}"}}`,
    "  - id: ones",
    "    extract: {connection: db, query: select 1 as one}",
    "  - id: orders",
    "    extract: {connection: files, path: orders.csv}",
    "  - id: t",
    "    depends_on: [orders]",
    "    transform:",
    "      - select: [amout]",
  );
}

async function open(client: LspClient, text: string): Promise<string> {
  const uri = ws.fileUri(`trust${n++}.etl.yaml`);
  await client.open(uri, text);
  return uri;
}

async function diagnosticsWhere(client: LspClient, uri: string, check: (d: Diagnostic[]) => boolean, from = 0): Promise<Diagnostic[]> {
  const found = await poll(() => [...client.published.slice(from)].reverse().find((p) => p.uri === uri && check(p.diagnostics)), 20_000, `diagnostics of ${uri}`);
  return found.diagnostics;
}

const requestsFor = (doc: string) => api.requests.filter((r) => r.query["doc"] === doc);
const everything = () => JSON.stringify(api.requests);

describe("live analysis and workspace trust", () => {
  it("without the trust option: no request to the API, no connection to PostgreSQL, one note; file connections still analysed", async () => {
    const doc = `untrusted-${n}`;
    const text = secretsPipeline(doc);
    const uri = await open(untrusted, text);
    const d = await diagnosticsWhere(untrusted, uri, (x) => x.some((y) => y.code === "unknown-column") && x.some((y) => y.code === "live-analysis-untrusted"));
    assert.match(d.find((x) => x.code === "unknown-column")?.message ?? "", /did you mean amount/, "the file connection is analysed");
    const notes = d.filter((x) => x.code === "live-analysis-untrusted");
    assert.equal(notes.length, 1);
    assert.equal(notes[0]?.severity, 3);
    assert.deepEqual(notes[0]?.range.start, pos(text, "api:", 0));
    assert.match(notes[0]?.message ?? "", /of api, db is off until the workspace is trusted/);
    assert.match(notes[0]?.message ?? "", /initializationOptions: \{workspaceTrusted: true\}/);
    // A refresh waits for every fetch it starts: after it, nothing can still be on its way.
    const refreshed = await untrusted.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri });
    assert.deepEqual(refreshed.refreshed, ["files"]);
    assert.deepEqual(refreshed.failed.map((f) => f.connection).sort(), ["api", "db"]);
    for (const f of refreshed.failed) assert.match(f.message, /off until the workspace is trusted/);
    assert.deepEqual(api.requests, [], "the API got no request");
    assert.equal(relay.connections, 0, "PostgreSQL got no connection attempt");
    assert.ok(!everything().includes(token));
    await untrusted.close(uri);
  });

  it("with the trust option: the token reaches the API and the database is analysed", async () => {
    const doc = `trusted-${n}`;
    const uri = await open(trusted, secretsPipeline(doc));
    const refreshed = await trusted.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri });
    assert.deepEqual(refreshed, { refreshed: ["api", "db", "files"], failed: [] });
    assert.ok(requestsFor(doc).length > 0);
    for (const r of requestsFor(doc)) assert.equal(r.headers.authorization, `Bearer ${token}`);
    assert.ok(relay.connections > 0, "analysis went to PostgreSQL through the relay");
    const d = await diagnosticsWhere(trusted, uri, (x) => x.some((y) => y.code === "unknown-column"));
    assert.equal(d.filter((x) => x.code === "live-analysis-untrusted").length, 0);
    await trusted.close(uri);
  });

  it("${file:} outside the workspace (absolute, `..`, or a symlink out) is not read: a warning on each reference; inside is read; agentEtl.secretFolders allows more", async () => {
    const doc = `files-${n}`;
    const header = (name: string, ref: string) => [`  ${name}:`, "    type: http", `    base_url: ${api.url}`, `    headers: {X-Secret: "\${file:${ref}}"}`];
    const step = (id: string, conn: string) => `  - {id: ${id}, extract: {connection: ${conn}, path: /echo, query: {doc: "${doc}", via: ${conn}}}}`;
    const refs = { abs: join(outside, "secret.txt"), up: `../${basename(outside)}/secret.txt`, link: "link.txt" };
    const text = yaml(
      "version: 1",
      "name: files",
      "connections:",
      ...Object.entries(refs).flatMap(([name, ref]) => header(name, ref)),
      ...header("ok", "inside.txt"),
      "steps:",
      ...[...Object.keys(refs), "ok"].map((c) => step(`s_${c}`, c)),
    );
    const uri = await open(trusted, text);
    const d = await diagnosticsWhere(trusted, uri, (x) => x.filter((y) => y.code === "secret-file-outside").length === 3);
    const warnings = d.filter((x) => x.code === "secret-file-outside");
    const expected = Object.values(refs).map((ref) => {
      const start = pos(text, `\${file:${ref}}`);
      return { start, end: { line: start.line, character: start.character + `\${file:${ref}}`.length } };
    });
    assert.deepEqual(warnings.map((w) => w.range), expected, "each warning covers its reference");
    for (const w of warnings) {
      assert.equal(w.severity, 2);
      assert.match(w.message, /is outside the workspace folders, so live analysis does not read it .* add its folder to the setting agentEtl\.secretFolders/);
    }
    const refreshed = await trusted.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri });
    assert.deepEqual(refreshed.refreshed, ["ok"]);
    const sent = () => [...new Set(requestsFor(doc).map((r) => `${r.query["via"]}=${String(r.headers["x-secret"])}`))].sort();
    assert.deepEqual(sent(), [`ok=${insideSecret}`]);
    assert.ok(!everything().includes(outsideSecret), "the outside file's content reached no server");

    secretFolders.push(outside);
    const from = trusted.published.length;
    await trusted.connection.sendNotification("workspace/didChangeConfiguration", { settings: {} });
    await diagnosticsWhere(trusted, uri, (x) => x.every((y) => y.code !== "secret-file-outside"), from);
    const allowed = await trusted.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri });
    assert.deepEqual(allowed.refreshed.sort(), ["abs", "link", "ok", "up"]);
    assert.deepEqual(sent(), [`abs=${outsideSecret}`, `link=${outsideSecret}`, `ok=${insideSecret}`, `up=${outsideSecret}`]);
    await trusted.close(uri);
  });
});
