// `checks:` in the language server over stdio: check names complete from the schema with their
// docs, hover explains a check, column slots in checks complete the step's own output (from live
// analysis of a local CSV), and a check naming a column the step does not output is unknown-column.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CompletionItem, CompletionList, Diagnostic, Hover, MarkupContent } from "vscode-languageserver-protocol";
import { LspClient, poll } from "./client";
import { ensureBuilt, makeWorkspace, pos, yaml, type Workspace } from "./fixtures";

let client: LspClient;
let ws: Workspace;
let n = 0;

before(async () => {
  ensureBuilt();
  ws = makeWorkspace();
  client = await LspClient.start({ rootUri: ws.uri });
});
after(async () => client.stop());

const MARK = "@@";

/** data/orders.csv (makeWorkspace) has id, amount, status; the step keeps id and amount. */
const pipeline = (...checks: string[]) =>
  yaml(
    "version: 1",
    "name: checked",
    "connections:",
    "  files: {type: file, root: ./data}",
    "steps:",
    "  - id: orders",
    "    extract: {connection: files, path: orders.csv}",
    "  - id: paid",
    "    depends_on: [orders]",
    "    checks:",
    ...checks.map((c) => `      - ${c}`),
    "    transform:",
    "      - select: [id, amount]",
  );

const items = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? []));
const labels = (list: CompletionItem[]) => list.map((i) => i.label);

/** Completion at `@@`, asked again until `done` holds (live columns come from a background analysis). */
async function completeAt(template: string, done: (l: CompletionItem[]) => boolean = (l) => l.length > 0): Promise<CompletionItem[]> {
  const text = template.replace(MARK, "");
  const uri = ws.fileUri(`checks${n++}.etl.yaml`);
  await client.open(uri, text);
  let last: CompletionItem[] = [];
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    last = items(await client.request("textDocument/completion", { textDocument: { uri }, position: pos(template, MARK) }));
    if (done(last)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await client.close(uri);
  return last;
}

describe("checks in the language server", () => {
  it("completes check names from the schema, each with its description", async () => {
    const list = await completeAt(pipeline(MARK));
    const names = labels(list);
    for (const kind of ["not_null", "unique", "accepted_values", "range", "row_count", "freshness", "expression", "severity"]) assert.ok(names.includes(kind), names.join(","));
    assert.match(JSON.stringify(list.find((i) => i.label === "freshness")?.documentation), /newest value of the timestamp/);
  });

  it("hover on a check key shows its documentation", async () => {
    const text = pipeline("unique: [id]");
    const uri = ws.fileUri(`checks${n++}.etl.yaml`);
    await client.open(uri, text);
    const h = await client.request<Hover>("textDocument/hover", { textDocument: { uri }, position: pos(text, "unique", 2) });
    assert.match((h.contents as MarkupContent).value, /No two records share a value in these columns/);
    await client.close(uri);
  });

  it("column slots in checks offer the step's output columns (not its input)", async () => {
    for (const check of [`not_null: [${MARK}]`, `unique: [id, ${MARK}]`, `range: {column: ${MARK}}`, `accepted_values: {column: ${MARK}, values: [a]}`, `freshness: {column: ${MARK}, max_age: 1h}`, `expression: ${MARK}`]) {
      assert.deepEqual(labels(await completeAt(pipeline(check))), ["id", "amount"], check);
    }
  });

  it("a check naming a column the step does not output is unknown-column, with did-you-mean", async () => {
    const text = pipeline("not_null: [amout]", "accepted_values: {column: status, values: [paid]}");
    const uri = ws.fileUri(`checks${n++}.etl.yaml`);
    await client.open(uri, text);
    const found = await poll(() => [...client.published].reverse().find((p) => p.uri === uri && p.diagnostics.filter((d) => d.code === "unknown-column").length === 2), 20_000, "two unknown-column warnings");
    const warnings = found.diagnostics.filter((d: Diagnostic) => d.code === "unknown-column");
    assert.deepEqual(warnings.map((w) => w.range.start), [pos(text, "amout"), pos(text, "status,")]);
    // The editor shows plain text: no code-span backticks.
    assert.equal(warnings[0]?.message, "column amout is not in the output of step paid (what its checks test) — did you mean amount?");
    assert.match(warnings[1]?.message ?? "", /column status is not in the output of step paid/);
    await client.close(uri);
  });
});
