// Live source analysis in the language server, against a real PostgreSQL, a real S3-compatible
// server (MinIO) and a loopback HTTP API: column/table/key completion, unknown-column,
// source-unavailable, hover, refresh, and the cache serving a second document.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { CodeAction, CompletionItem, CompletionList, Diagnostic, Hover, MarkupContent } from "vscode-languageserver-protocol";
import { REFRESH_SOURCES_REQUEST, type RefreshSourcesResult } from "../../server/src/protocol";
import { startApi, type TestApi } from "../support/httpServer";
import { freePort } from "../support/net";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { startS3, type TestS3 } from "../support/s3";
import { LspClient, poll } from "./client";
import { ensureBuilt, makeWorkspace, pos, yaml, type Workspace } from "./fixtures";

let client: LspClient;
let ws: Workspace;
let pg: TestPostgres;
let s3: TestS3;
let api: TestApi;
let bucket: string;
let dbUrl: string;
let n = 0;

before(async () => {
  ensureBuilt();
  [pg, s3, api] = await Promise.all([startPostgres(), startS3(), startApi([{ id: 1, name: "ada", score: 2.5 }])]);
  dbUrl = await pg.createDatabase("live_lsp");
  const sql = [
    "create table public.customers (id int primary key, name text, status text)",
    "create table public.orders (id int primary key, customer_id int references public.customers(id), amount numeric(10,2), status text)",
    "create view public.paid_orders as select * from public.orders where status = 'paid'",
    'create schema "Odd Schema"',
    'create table "Odd Schema"."Order Items" (sku text, "Unit Price" numeric)',
  ];
  for (const s of sql) await pg.query(s, [], "live_lsp");
  bucket = await s3.createBucket("live");
  const put = (key: string, body: string) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  await Promise.all([put("raw/2024/01/a.csv", "id,price\n1,2\n"), put("raw/2024/02/b.csv", "id,price\n3,4\n"), put("raw/top.csv", "x\n1\n"), put("other/x.jsonl", '{"a":1}\n'), put("readme.csv", "r\n1\n")]);
  ws = makeWorkspace();
  writeFileSync(join(ws.dir, ".env"), `LIVE_DB_URL=${dbUrl}\nLIVE_S3_KEY=${s3.accessKeyId}\nLIVE_S3_SECRET=${s3.secretAccessKey}\n`);
  const cache = mkdtempSync(join(tmpdir(), "agent-etl-live-cache-"));
  client = await LspClient.start({
    rootUri: ws.uri,
    env: { ...process.env, XDG_CACHE_HOME: cache },
    initializationOptions: { workspaceTrusted: true },
    configuration: (section) => (section === "agentEtl" ? { envFile: "settings.env" } : null),
  });
});
after(async () => {
  await client?.stop();
  await Promise.all([pg?.stop(), s3?.stop(), api?.close()]);
});

function pipeline(...steps: string[]): string {
  return yaml(
    "version: 1",
    "name: live",
    "connections:",
    "  db:",
    "    type: postgres",
    "    url: ${env:LIVE_DB_URL}",
    "  lake:",
    "    type: s3",
    `    bucket: ${bucket}`,
    `    endpoint: ${s3.endpoint}`,
    `    region: ${s3.region}`,
    "    force_path_style: true",
    "    access_key_id: ${env:LIVE_S3_KEY}",
    "    secret_access_key: ${env:LIVE_S3_SECRET}",
    "  api:",
    "    type: http",
    `    base_url: ${api.url}`,
    "steps:",
    "  - id: orders",
    "    extract: {connection: db, table: public.orders}",
    "  - id: customers",
    "    extract: {connection: db, table: customers}",
    "  - id: prices",
    "    extract: {connection: lake, key: raw/2024/01/a.csv}",
    "  - id: people",
    "    extract: {connection: api, path: /link}",
    ...steps,
  );
}

const MARK = "@@";
const items = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? []));
const labels = (list: CompletionItem[]) => list.map((i) => i.label);

async function openDoc(text: string): Promise<string> {
  const uri = ws.fileUri(`live${n++}.etl.yaml`);
  await client.open(uri, text);
  return uri;
}

/** Completion at `@@` (removed from the text), asked again until `done` holds (the first may answer from a cold cache). */
async function completeAt(template: string, done: (l: CompletionItem[]) => boolean = (l) => l.length > 0): Promise<CompletionItem[]> {
  const text = template.replace(MARK, "");
  const uri = await openDoc(text);
  const at = pos(template, MARK);
  let last: CompletionItem[] = [];
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    last = items(await client.request("textDocument/completion", { textDocument: { uri }, position: at }));
    if (done(last)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await client.close(uri);
  return last;
}

/** Waits for a published diagnostics set of `uri` that satisfies `check`. */
async function diagnosticsWhere(uri: string, check: (d: Diagnostic[]) => boolean, from = 0): Promise<Diagnostic[]> {
  const found = await poll(() => [...client.published.slice(from)].reverse().find((p) => p.uri === uri && check(p.diagnostics)), 20_000, `diagnostics of ${uri}`);
  return found.diagnostics;
}

/** Hovers until the text holds `needle` (sources answer in the background). */
async function hoverUntil(uri: string, position: { line: number; character: number }, needle: string): Promise<string> {
  let hovered = "";
  for (const deadline = Date.now() + 15_000; Date.now() < deadline && !hovered.includes(needle); ) {
    const h = await client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position });
    hovered = (h?.contents as MarkupContent | undefined)?.value ?? "";
    if (!hovered.includes(needle)) await new Promise((r) => setTimeout(r, 50));
  }
  return hovered;
}

const live = (d: Diagnostic[]) => d.filter((x) => x.code === "unknown-column" || x.code === "source-unavailable");
const ORDER_COLUMNS = ["id", "customer_id", "amount", "status"];
const transformOf = (dependsOn: string, op: string) => ["  - id: t", `    depends_on: [${dependsOn}]`, "    transform:", `      - ${op}`];

describe("live analysis in the language server", () => {
  it("completes the live columns at every column position", async () => {
    const cases: [string, string[], string[]?][] = [
      [`select: [${MARK}]`, ORDER_COLUMNS],
      [`drop: [${MARK}]`, ORDER_COLUMNS],
      [`dedupe: [${MARK}]`, ORDER_COLUMNS],
      [`rename: {${MARK}}`, ORDER_COLUMNS],
      [`cast: {${MARK}}`, ORDER_COLUMNS],
      [`filter: ${MARK}`, ORDER_COLUMNS],
      [`derive: {cents: ${MARK}}`, ORDER_COLUMNS],
      [`aggregate: {group_by: [${MARK}], metrics: {n: count()}}`, ORDER_COLUMNS],
      [`aggregate: {group_by: [status], metrics: {s: sum(${MARK})}}`, ORDER_COLUMNS],
      [`join: {with: customers, on: ${MARK}}`, [...ORDER_COLUMNS, "name"], ["orders, customers"]],
    ];
    for (const [op, expected, deps] of cases) {
      const got = labels(await completeAt(pipeline(...transformOf(deps?.[0] ?? "orders", op))));
      for (const c of expected) assert.ok(got.includes(c), `${op}: ${got.join(",")}`);
    }
    const key = labels(await completeAt(pipeline("  - id: save", "    depends_on: [orders]", `    load: {connection: db, table: out, mode: merge, key: [${MARK}]}`)));
    assert.deepEqual(key, ORDER_COLUMNS);
    const columns = labels(await completeAt(pipeline().replace("table: public.orders}", `table: public.orders, columns: [${MARK}]}`)));
    assert.deepEqual(columns, ORDER_COLUMNS);
    const s3cols = labels(await completeAt(pipeline(...transformOf("prices", `select: [${MARK}]`))));
    assert.deepEqual(s3cols, ["id", "price"]);
    const httpCols = labels(await completeAt(pipeline(...transformOf("people", `select: [${MARK}]`))));
    assert.deepEqual(httpCols, ["id", "name", "score"]);
  });

  it("columns follow the ops: after a join the right side's columns (clash as `<with>_<col>`), details give types", async () => {
    const list = await completeAt(pipeline("  - id: t", "    depends_on: [orders, customers]", "    transform:", "      - join: {with: customers, on: {customer_id: id}}", `      - select: [${MARK}]`));
    assert.deepEqual(labels(list), [...ORDER_COLUMNS, "name", "customers_status"]);
    assert.match(list.find((i) => i.label === "amount")?.detail ?? "", /^decimal · from `orders`/);
  });

  it("`table` lists tables and views of every schema, odd names quoted", async () => {
    const list = await completeAt(pipeline("  - id: x", "    extract:", "      connection: db", `      table: ${MARK}`));
    const got = labels(list);
    for (const t of ["public.orders", "public.customers", "public.paid_orders", '"Odd Schema"."Order Items"']) assert.ok(got.includes(t), got.join(","));
    assert.equal(list.find((i) => i.label === '"Odd Schema"."Order Items"')?.textEdit?.newText, `'"Odd Schema"."Order Items"'`);
    assert.match(list.find((i) => i.label === "public.paid_orders")?.detail ?? "", /^view/);
  });

  it("s3 `key` completes folder by folder", async () => {
    const keyAt = (typed: string) => completeAt(pipeline("  - id: x", "    extract:", "      connection: lake", `      key: ${typed}${MARK}`));
    assert.deepEqual(labels(await keyAt("")).sort(), ["other/", "raw/", "readme.csv"]);
    assert.deepEqual(labels(await keyAt("raw/")).sort(), ["raw/2024/", "raw/top.csv"]);
    const leaf = await keyAt("raw/2024/01/");
    assert.deepEqual(labels(leaf), ["raw/2024/01/a.csv"]);
  });

  it("file `path` completes folder by folder under the connection's root", async () => {
    mkdirSync(join(ws.dir, "data", "2024"), { recursive: true });
    writeFileSync(join(ws.dir, "data", "2024", "jan.csv"), "id,total\n1,2\n");
    const base = (typed: string) =>
      pipeline("  - id: x", "    extract:", "      connection: files", `      path: ${typed}${MARK}`).replace("steps:\n", "  files: {type: file, root: ./data}\nsteps:\n");
    assert.deepEqual(labels(await completeAt(base(""))).sort(), ["2024/", "orders.csv"]);
    assert.deepEqual(labels(await completeAt(base("2024/"))), ["2024/jan.csv"]);
    const cols = await completeAt(base("2024/jan.csv").replace(MARK, "") + ["  - id: t", "    depends_on: [x]", "    transform:", `      - select: [${MARK}]`].join("\n") + "\n");
    assert.deepEqual(labels(cols), ["id", "total"]);
  });

  it("a variable only `agentEtl.envFile` defines resolves for live analysis as it does for diagnostics", async () => {
    mkdirSync(join(ws.dir, "from-settings"), { recursive: true });
    writeFileSync(join(ws.dir, "from-settings", "only_here.csv"), "sku,qty\n1,2\n");
    writeFileSync(join(ws.dir, "settings.env"), "LIVE_ROOT_FROM_SETTINGS=./from-settings\n");
    const text = pipeline("  - id: x", "    extract:", "      connection: files", `      path: ${MARK}`).replace("steps:\n", "  files: {type: file, root: \"${env:LIVE_ROOT_FROM_SETTINGS}\"}\nsteps:\n");
    assert.deepEqual(labels(await completeAt(text)), ["only_here.csv"]);
  });

  it("CSV columns are the runner's: an unnamed header column is column_N; a repeated name is the runner's error, not a false warning", async () => {
    mkdirSync(join(ws.dir, "headers"), { recursive: true });
    writeFileSync(join(ws.dir, "headers", "blank.csv"), "id,,name,\n1,2,Ann,3\n");
    writeFileSync(join(ws.dir, "headers", "dup.csv"), "id, id\n1,2\n");
    const reading = (path: string, op: string) =>
      pipeline("  - id: x", `    extract: {connection: hdr, path: ${path}}`, ...transformOf("x", op)).replace("steps:\n", "  hdr: {type: file, root: ./headers}\nsteps:\n");
    assert.deepEqual(labels(await completeAt(reading("blank.csv", `select: [${MARK}]`))), ["id", "column_2", "name", "column_4"]);
    const uri = await openDoc(reading("dup.csv", "select: [id]"));
    const from = client.published.length;
    const refreshed = await client.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri, connection: "hdr" });
    assert.deepEqual(refreshed.failed.map((f) => f.connection), ["hdr"]);
    assert.match(refreshed.failed[0]?.message ?? "", /^dup\.csv: the CSV header gives more than one column the same name, .*`id` twice \(columns 1 and 2, as `id` and ` id`/);
    assert.deepEqual(live(await diagnosticsWhere(uri, () => true, from)), []);
    await client.close(uri);
  });

  it("hover on a step shows its output columns and types", async () => {
    const text = pipeline(...transformOf("orders", "derive: {cents: amount * 100}"));
    const uri = await openDoc(text);
    const at = pos(text, "id: t", 4);
    const hovered = await hoverUntil(uri, at, "| `cents` | number |");
    assert.match(hovered, /\*\*output columns\*\* \(5\)/);
    assert.match(hovered, /\| `amount` \| decimal \|/);
    await client.close(uri);
  });

  it("unknown-column appears with did-you-mean and a quick fix, and goes when the YAML is fixed; no false warning while loading", async () => {
    const text = pipeline(...transformOf("orders", "select: [id, amout]"));
    const uri = await openDoc(text);
    const found = await diagnosticsWhere(uri, (d) => d.some((x) => x.code === "unknown-column"));
    const warning = found.find((x) => x.code === "unknown-column") as Diagnostic;
    assert.equal(warning.severity, 2);
    assert.match(warning.message, /column amout is not in .* did you mean amount\?/);
    assert.deepEqual(warning.range.start, pos(text, "amout"));
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: warning.range, context: { diagnostics: [warning] } });
    assert.equal(actions[0]?.edit?.changes?.[uri]?.[0]?.newText, "amount");
    assert.equal(actions[0]?.title, "Change to amount");
    const from = client.published.length;
    const v = await client.replace(uri, text.replace("amout", "amount"));
    assert.deepEqual(live((await client.diagnostics(uri, { version: v, from })).diagnostics), []);
    await client.close(uri);
  });

  it("a valid file never gets a live warning, from its first publish on", async () => {
    const text = pipeline(...transformOf("orders, customers", "join: {with: customers, on: {customer_id: id}}"), "      - select: [id, name, customers_status]");
    const uri = await openDoc(text);
    await client.diagnostics(uri, { version: 1 });
    assert.match(await hoverUntil(uri, pos(text, "id: t", 4), "| `customers_status` | string |"), /\*\*output columns\*\* \(3\)/);
    const all = client.published.filter((p) => p.uri === uri);
    assert.ok(all.length > 0);
    for (const p of all) assert.deepEqual(live(p.diagnostics), []);
    await client.close(uri);
  });

  it("the cache serves a second document without asking the source again", async () => {
    const text = pipeline(...transformOf("people", "select: [nme]"));
    const first = await openDoc(text);
    await diagnosticsWhere(first, (d) => d.some((x) => x.code === "unknown-column"));
    const hits = api.requests.length;
    assert.ok(hits > 0);
    const second = await openDoc(text.replace("nme", "scor"));
    const d = await diagnosticsWhere(second, (x) => x.some((y) => y.code === "unknown-column"));
    assert.match(d.find((x) => x.code === "unknown-column")?.message ?? "", /did you mean score\b/);
    await completeAt(pipeline(...transformOf("people", `select: [${MARK}]`)));
    assert.equal(api.requests.length, hits);
    await client.close(first);
    await client.close(second);
  });

  it("unknown-column follows the database after refreshSources", async () => {
    const text = pipeline(...transformOf("orders", "select: [status]"));
    const uri = await openDoc(text);
    await completeAt(pipeline(...transformOf("orders", `select: [${MARK}]`)));
    assert.deepEqual(live((await client.diagnostics(uri, { version: 1 })).diagnostics), []);
    await pg.query("alter table public.orders rename column status to state", [], "live_lsp");
    let from = client.published.length;
    const refreshed = await client.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri, connection: "db" });
    assert.deepEqual(refreshed, { refreshed: ["db"], failed: [] });
    const d = await diagnosticsWhere(uri, (x) => x.some((y) => y.code === "unknown-column"), from);
    assert.match(d.find((x) => x.code === "unknown-column")?.message ?? "", /status .* did you mean state\?/);
    await pg.query("alter table public.orders rename column state to status", [], "live_lsp");
    from = client.published.length;
    await client.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri });
    await diagnosticsWhere(uri, (x) => live(x).length === 0, from);
    await client.close(uri);
  });

  it("a dead source gives exactly one source-unavailable per connection, secrets scrubbed, and no hang", async () => {
    const port = await freePort();
    const secret = `pw-${randomBytes(9).toString("hex")}`;
    const text = yaml(
      "version: 1",
      "name: dead",
      "connections:",
      "  gone:",
      "    type: postgres",
      `    url: postgres://app:${secret}@127.0.0.1:${port}/shop`,
      "  silent:",
      "    type: http",
      `    base_url: http://127.0.0.1:${port}`,
      "steps:",
      "  - id: a",
      "    extract: {connection: gone, table: public.orders}",
      "  - id: b",
      "    extract: {connection: gone, query: select 1 as x}",
      "  - id: c",
      "    extract: {connection: silent, path: /items}",
      "  - id: t",
      "    depends_on: [a]",
      "    transform:",
      "      - select: [whatever]",
    );
    const uri = await openDoc(text);
    const d = await diagnosticsWhere(uri, (x) => x.filter((y) => y.code === "source-unavailable").length === 2);
    const unavailable = d.filter((x) => x.code === "source-unavailable");
    assert.deepEqual(unavailable.map((x) => x.range.start).sort((a, b) => a.line - b.line), [pos(text, "gone:"), pos(text, "silent:")]);
    for (const x of unavailable) {
      assert.equal(x.severity, 3);
      assert.ok(!x.message.includes(secret), x.message);
    }
    assert.equal(d.filter((x) => x.code === "unknown-column").length, 0);
    const list = await client.request<CompletionList>("textDocument/completion", { textDocument: { uri }, position: pos(text, "whatever") });
    assert.deepEqual(items(list), []);
    const result = await client.request<RefreshSourcesResult>(REFRESH_SOURCES_REQUEST, { uri });
    assert.deepEqual(result.refreshed, []);
    assert.deepEqual(result.failed.map((f) => f.connection).sort(), ["gone", "silent"]);
    for (const f of result.failed) assert.ok(!f.message.includes(secret));
    await client.close(uri);
  });
});
