// Live analysis of a DuckDB file in the language server: `table` completes its tables and views,
// columns complete from a table's catalog entry and from a query, in a workspace not yet trusted
// (a DuckDB file stays on this machine and is opened read-only, with no access to other files).
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import type { CompletionItem, CompletionList } from "vscode-languageserver-protocol";
import { LspClient } from "./client";
import { ensureBuilt, makeWorkspace, pos, yaml, type Workspace } from "./fixtures";

let client: LspClient;
let ws: Workspace;
let n = 0;

before(async () => {
  ensureBuilt();
  ws = makeWorkspace();
  const instance = await DuckDBInstance.create(join(ws.dir, "warehouse.duckdb"));
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount DECIMAL(10, 2), status VARCHAR);
    CREATE SCHEMA "Odd Schema"; CREATE TABLE "Odd Schema"."Order Items" (sku VARCHAR, "Unit Price" DOUBLE);
    CREATE VIEW paid AS SELECT id, amount FROM orders WHERE status = 'paid'`);
  connection.closeSync();
  instance.closeSync();
  const cache = mkdtempSync(join(tmpdir(), "agent-etl-duckdb-cache-"));
  client = await LspClient.start({ rootUri: ws.uri, env: { ...process.env, XDG_CACHE_HOME: cache } });
});
after(async () => client?.stop());

const MARK = "@@";
const labels = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? [])).map((i) => i.label);

function pipeline(...steps: string[]): string {
  return yaml("version: 1", "name: duck", "connections:", "  wh: {type: duckdb}", "steps:", "  - id: orders", "    extract: {connection: wh, table: orders}", ...steps);
}

/** Completion at `@@`, asked again until `done` holds (the first answer may come from a cold cache). */
async function completeAt(template: string, done: (l: string[]) => boolean = (l) => l.length > 0): Promise<string[]> {
  const uri = ws.fileUri(`duck${n++}.etl.yaml`);
  await client.open(uri, template.replace(MARK, ""));
  let last: string[] = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    last = labels(await client.request("textDocument/completion", { textDocument: { uri }, position: pos(template, MARK) }));
    if (done(last)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await client.close(uri);
  return last;
}

describe("live analysis of a DuckDB file", () => {
  it("`table` lists its tables and views, odd names quoted", async () => {
    const got = await completeAt(pipeline("  - id: x", "    extract:", "      connection: wh", `      table: ${MARK}`), (l) => l.length >= 3);
    for (const t of ["main.orders", "main.paid", '"Odd Schema"."Order Items"']) assert.ok(got.includes(t), got.join(","));
  });

  it("completes a table's columns downstream and in a load's key, and a query's columns", async () => {
    const ORDER_COLUMNS = ["id", "customer_id", "amount", "status"];
    assert.deepEqual(await completeAt(pipeline("  - id: t", "    depends_on: [orders]", "    transform:", `      - select: [${MARK}]`)), ORDER_COLUMNS);
    assert.deepEqual(await completeAt(pipeline("  - id: save", "    depends_on: [orders]", `    load: {connection: wh, table: orders, mode: merge, key: [${MARK}]}`)), ORDER_COLUMNS);
    const query = pipeline("  - id: q", '    extract: {connection: wh, query: "SELECT id, amount * 2 AS doubled FROM paid"}', "  - id: t", "    depends_on: [q]", "    transform:", `      - select: [${MARK}]`);
    assert.deepEqual(await completeAt(query), ["id", "doubled"]);
  });
});
