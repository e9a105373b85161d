// Completion over stdio: keys, values, step ids, connections, env names and templates — valid, half-typed and broken files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CompletionItem, CompletionList } from "vscode-languageserver-protocol";
import { LspClient } from "./client";
import { ensureBuilt, makeWorkspace, PIPELINE, pos, type Workspace } from "./fixtures";
import { generatePipeline } from "./generate";

let client: LspClient;
let ws: Workspace;
let n = 0;

before(async () => {
  ensureBuilt();
  ws = makeWorkspace();
  client = await LspClient.start({ rootUri: ws.uri });
});
after(async () => client.stop());

/** Opens `text` as a new document and asks for completion at `needle` + `delta`. */
async function completeAt(text: string, needle: string, delta = needle.length, nth = 0): Promise<CompletionItem[]> {
  const uri = ws.fileUri(`c${n++}.etl.yaml`);
  await client.open(uri, text);
  await client.diagnostics(uri, { version: 1 });
  const result = await client.request<CompletionItem[] | CompletionList | null>("textDocument/completion", { textDocument: { uri }, position: pos(text, needle, delta, nth) });
  await client.close(uri);
  return Array.isArray(result) ? result : (result?.items ?? []);
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

describe("completion", () => {
  it("top-level keys on an empty line, without keys already present, with descriptions and snippets", async () => {
    const items = await completeAt(PIPELINE.replace("params:", "\nparams:"), "orders_daily\n", "orders_daily\n".length);
    const names = labels(items);
    assert.ok(names.includes("schedule") && names.includes("defaults") && names.includes("staging"), names.join(","));
    assert.ok(!names.includes("name") && !names.includes("steps"));
    const schedule = items.find((i) => i.label === "schedule");
    assert.ok(schedule?.documentation, "has a description");
    const defaults = items.find((i) => i.label === "defaults");
    assert.equal(defaults?.insertTextFormat, 2);
    assert.equal((defaults?.textEdit as { newText: string }).newText, "defaults:\n  $0");
  });

  it("step keys in a half-typed key, and only kinds not yet written", async () => {
    const text = PIPELINE.replace("  - id: paid\n", "  - id: paid\n    retr\n");
    const items = await completeAt(text, "    retr", "    retr".length);
    const names = labels(items);
    assert.ok(names.includes("retries") && names.includes("retry_delay") && names.includes("timeout"), names.join(","));
    assert.ok(!names.includes("id") && !names.includes("depends_on"));
    const edit = items.find((i) => i.label === "retries")?.textEdit as { range: { start: { character: number }; end: { character: number } } };
    assert.deepEqual([edit.range.start.character, edit.range.end.character], [4, 8]);
  });

  it("enum values: format, mode, retry_backoff, column types", async () => {
    const fmt = await completeAt(PIPELINE.replace("      path: paid.jsonl", "      path: paid.jsonl\n      format: "), "format: ");
    assert.deepEqual(labels(fmt).sort(), ["csv", "json", "jsonl", "parquet"]);
    const backoff = await completeAt(PIPELINE.replace("  - id: paid\n", "  - id: paid\n    retry_backoff: \n"), "retry_backoff: ");
    assert.deepEqual(labels(backoff), ["fixed", "exponential"]);
    const cast = await completeAt(PIPELINE.replace("      - select: [id, amount]", "      - cast:\n          amount: "), "amount: ");
    assert.ok(labels(cast).includes("decimal") && labels(cast).includes("timestamp"));
    const types = await completeAt(PIPELINE.replace("  out:\n    type: file", "  out:\n    type: "), "type: ", 6, 1);
    assert.deepEqual(labels(types).sort(), ["duckdb", "file", "http", "postgres", "s3"]);
  });

  it("step ids in depends_on (flow and block), never itself nor a step downstream of it", async () => {
    const flow = await completeAt(PIPELINE.replace("depends_on: [orders]", "depends_on: [orders, ]"), "depends_on: [orders, ");
    assert.deepEqual(labels(flow).sort(), ["orders"]);
    const text = PIPELINE.replace("  - id: save\n    depends_on: [paid]", "  - id: save\n    depends_on:\n      - ");
    const block = await completeAt(text, "depends_on:\n      - ");
    assert.deepEqual(labels(block).sort(), ["archive", "orders", "paid"]);
  });

  it("join.with and input offer step ids", async () => {
    const join = await completeAt(PIPELINE.replace("- select: [id, amount]", "- join: {with: , on: id}"), "{with: ");
    assert.ok(labels(join).includes("orders") && !labels(join).includes("paid"));
    const input = await completeAt(PIPELINE.replace("  - id: save\n", "  - id: save\n    input: \n"), "input: ");
    assert.ok(labels(input).includes("paid") && !labels(input).includes("save") && !labels(input).includes("report"));
  });

  it("connection names that fit the step", async () => {
    const sql = await completeAt(PIPELINE.replace("      connection: db", "      connection: "), "      connection: ", undefined, 3);
    assert.deepEqual(labels(sql), ["db"]);
    const load = await completeAt(PIPELINE.replace("      connection: lake", "      connection: "), "      connection: ", undefined, 2);
    assert.deepEqual(labels(load).sort(), ["db", "lake"]); // `key` fits an s3 object key and a postgres merge key
    const extract = await completeAt(PIPELINE.replace("      connection: raw", "      connection: "), "      connection: ");
    assert.deepEqual(labels(extract).sort(), ["out", "raw"]);
  });

  it("${env: names from the environment and .env; template variables after {{", async () => {
    const env = await completeAt(PIPELINE.replace("${env:FROM_DOTENV}", "${env:AL"), "${env:AL");
    assert.ok(labels(env).includes("ALSO_DOTENV") && labels(env).includes("FROM_DOTENV"));
    assert.equal((env.find((i) => i.label === "ALSO_DOTENV")?.textEdit as { newText: string }).newText, "ALSO_DOTENV}");
    const tpl = await completeAt(PIPELINE.replace("paid/{{ ds }}.csv", "paid/{{ "), "paid/{{ ");
    assert.deepEqual(labels(tpl), ["ds", "ds_nodash", "ts", "ts_nodash", "run_id", "params.region"]);
  });

  it("flow-style maps: keys and values", async () => {
    const keys = await completeAt(PIPELINE.replace("  lake:\n    type: s3\n    bucket: b", "  lake: {type: s3, }"), "{type: s3, ");
    assert.ok(labels(keys).includes("bucket") && labels(keys).includes("region") && !labels(keys).includes("url"), labels(keys).join(","));
    const values = await completeAt(PIPELINE.replace("  lake:\n    type: s3\n    bucket: b", "  lake: {type: "), "{type: ");
    assert.ok(labels(values).includes("s3"));
  });

  it("works in a file that does not parse", async () => {
    const broken = PIPELINE.replace("      - select: [id, amount]", "      - select: [id, \"amount]\n      - ") + "  - id: [broken\n    ";
    const items = await completeAt(broken, "  - id: [broken\n    ", "  - id: [broken\n    ".length);
    assert.ok(labels(items).includes("extract") && labels(items).includes("depends_on"), labels(items).join(","));
  });

  it("at 5,000 steps, depends_on offers steps matching the typed prefix, never itself, in an incomplete list", async () => {
    const text = generatePipeline(5000);
    const uri = ws.fileUri("big.etl.yaml");
    await client.open(uri, text);
    await client.diagnostics(uri, { version: 1, timeoutMs: 60_000 });
    const list = await client.request<CompletionList>("textDocument/completion", { textDocument: { uri }, position: pos(text, "depends_on: [step_4998", "depends_on: [step_499".length) });
    await client.close(uri);
    assert.equal(list.isIncomplete, true);
    assert.deepEqual(labels(list.items).sort(), ["step_499", ...Array.from({ length: 9 }, (_, i) => `step_499${i}`)].sort());
  });
});

describe("completion: kind keys first, snippets only where they fit", () => {
  const SNIPPET = 15;
  const snippets = (items: CompletionItem[]) => items.filter((i) => i.kind === SNIPPET).map((i) => i.label);
  const sorted = (items: CompletionItem[]) => [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
  const newText = (items: CompletionItem[], label: string) => (items.find((i) => i.label === label && i.kind === SNIPPET)?.textEdit as { newText: string } | undefined)?.newText;

  it("a new step's key position: extract, transform, load, sql first; no snippet at all", async () => {
    for (const typed of ["", "ex", "s"]) {
      const text = PIPELINE.replace("  - id: report\n", `  - id: fresh\n    ${typed}\n  - id: report\n`);
      const items = await completeAt(text, `  - id: fresh\n    ${typed}`);
      assert.deepEqual(sorted(items).slice(0, 4).map((i) => i.label).sort(), ["extract", "load", "sql", "transform"], `typed "${typed}"`);
      assert.deepEqual(snippets(items), [], `typed "${typed}"`);
      assert.ok(labels(items).includes("depends_on") && !labels(items).includes("join") && !labels(items).includes("postgres"));
    }
  });

  it("every step's key position, whatever its kind, offers keys and no snippet", async () => {
    for (const id of ["orders", "paid", "save", "archive", "report"]) {
      const text = PIPELINE.replace(`  - id: ${id}\n`, `  - id: ${id}\n    \n`);
      const items = await completeAt(text, `  - id: ${id}\n    `);
      assert.ok(items.length > 0 && labels(items).includes("retries"), id);
      assert.deepEqual(snippets(items), [], id);
      assert.ok(!labels(items).some((l) => ["extract", "transform", "load", "sql"].includes(String(l))), `${id} has a kind already: ${labels(items).join(",")}`);
    }
  });

  it("connection snippets under connections:, indented to the connection's column", async () => {
    const items = await completeAt(PIPELINE.replace("connections:\n", "connections:\n  po\n"), "connections:\n  po");
    assert.deepEqual(snippets(items).sort(), ["duckdb", "file", "http", "minio", "postgres", "s3"]);
    assert.match(newText(items, "postgres") ?? "", /^\$\{1:warehouse\}:\n {4}type: postgres\n {4}url: /);
  });

  it("step snippets on a new line under steps: and in a fresh `- ` item; transform ops in a transform list", async () => {
    const line = await completeAt(PIPELINE.replace("steps:\n", "steps:\n  \n"), "steps:\n  ");
    assert.deepEqual(snippets(line).sort(), ["step-extract", "step-extract-http", "step-load", "step-sql", "step-transform"]);
    assert.match(newText(line, "step-load") ?? "", /^- id: \$\{1:load_id\}\n {4}depends_on: .*\n {4}load:\n {6}connection: /);
    const item = await completeAt(PIPELINE.replace("steps:\n", "steps:\n  - \n"), "steps:\n  - ");
    assert.match(newText(item, "step-sql") ?? "", /^id: \$\{1:sql_id\}\n {4}sql:\n {6}connection: /);
    assert.ok(!snippets(item).includes("postgres") && !snippets(item).includes("join"));
    const op = await completeAt(PIPELINE.replace("      - select: [id, amount]", "      - select: [id, amount]\n      - "), "amount]\n      - ");
    assert.deepEqual(snippets(op).sort(), ["aggregate", "join"]);
    assert.match(newText(op, "join") ?? "", /^join:\n {10}with: /);
  });

  it("the pipeline snippet in an empty file only; none in a map's value or another key's block", async () => {
    assert.deepEqual(snippets(await completeAt("pip", "pip")), ["pipeline"]);
    assert.ok(!snippets(await completeAt(PIPELINE.replace("params:", "\nparams:"), "orders_daily\n", "orders_daily\n".length)).includes("pipeline"));
    assert.deepEqual(snippets(await completeAt(PIPELINE.replace("      path: paid.jsonl", "      path: paid.jsonl\n      "), "path: paid.jsonl\n      ")), []);
    assert.deepEqual(snippets(await completeAt(PIPELINE.replace("  region: eu", "  region: eu\n  "), "region: eu\n  ")), []);
  });
});
