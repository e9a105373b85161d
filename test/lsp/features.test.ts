// Hover, navigation, rename, symbols, folding, links, code lenses, quick fixes, formatting, custom requests, settings.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CodeAction, CodeLens, Diagnostic, DocumentLink, DocumentSymbol, FoldingRange, Hover, Location, TextEdit, WorkspaceEdit } from "vscode-languageserver-protocol";
import { COMMANDS, DAG_REQUEST, STEPS_REQUEST, type DagResult, type StepsResult } from "../../server/src/protocol";
import { LspClient } from "./client";
import { ensureBuilt, makeWorkspace, PIPELINE, pos, type Workspace } from "./fixtures";

let client: LspClient;
let ws: Workspace;
let n = 0;

before(async () => {
  ensureBuilt();
  ws = makeWorkspace();
  writeFileSync(join(ws.dir, "custom.env"), "FROM_SETTINGS_FILE=1\n");
  client = await LspClient.start({ rootUri: ws.uri, configuration: (section) => (section === "agentEtl" ? { envFile: "custom.env" } : null) });
});
after(async () => client.stop());

async function openDoc(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = ws.fileUri(`f${n++}.etl.yaml`);
  await client.open(uri, text);
  const published = await client.diagnostics(uri, { version: 1 });
  return { uri, diagnostics: published.diagnostics };
}

const at = (uri: string, text: string, needle: string, delta = 0, nth = 0) => ({ textDocument: { uri }, position: pos(text, needle, delta, nth) });

describe("hover", () => {
  it("a key shows its schema description; a step id its kind, connection and neighbours; a connection its type and users", async () => {
    const { uri } = await openDoc(PIPELINE);
    const key = await client.request<Hover>("textDocument/hover", at(uri, PIPELINE, "depends_on", 2));
    assert.match(JSON.stringify(key.contents), /Steps that must finish before this one/);
    const step = await client.request<Hover>("textDocument/hover", at(uri, PIPELINE, "[paid]", 2));
    const text = (step.contents as { value: string }).value;
    assert.match(text, /step `paid`.*transform/);
    assert.match(text, /upstream: `orders`/);
    assert.match(text, /downstream: `save`, `archive`/);
    const conn = await client.request<Hover>("textDocument/hover", at(uri, PIPELINE, "connection: db", 13));
    const ctext = (conn.contents as { value: string }).value;
    assert.match(ctext, /connection `db`.*postgres/);
    assert.match(ctext, /used by: `report`/);
    assert.doesNotMatch(ctext, /FROM_DOTENV|\$\{env/);
  });
});

describe("definition, references, rename", () => {
  it("go to definition and find references of a step id and a connection", async () => {
    const { uri } = await openDoc(PIPELINE);
    const def = await client.request<Location>("textDocument/definition", at(uri, PIPELINE, "[paid]", 1));
    assert.deepEqual(def.range.start, pos(PIPELINE, "id: paid", 4));
    const refs = await client.request<Location[]>("textDocument/references", { ...at(uri, PIPELINE, "id: paid", 4), context: { includeDeclaration: true } });
    assert.equal(refs.length, 3);
    const conn = await client.request<Location>("textDocument/definition", at(uri, PIPELINE, "connection: raw", 12));
    assert.deepEqual(conn.range.start, pos(PIPELINE, "  raw:", 2));
  });

  it("rename edits every reference, and refuses bad or taken names with a message", async () => {
    const { uri } = await openDoc(PIPELINE);
    const edit = await client.request<WorkspaceEdit>("textDocument/rename", { ...at(uri, PIPELINE, "id: paid", 5), newName: "paid_orders" });
    const edits = edit.changes?.[uri] ?? [];
    assert.equal(edits.length, 3);
    assert.ok(edits.every((e) => e.newText === "paid_orders"));
    await assert.rejects(client.request("textDocument/rename", { ...at(uri, PIPELINE, "id: paid", 5), newName: "Paid Orders" }), /not a valid step id/);
    await assert.rejects(client.request("textDocument/rename", { ...at(uri, PIPELINE, "id: paid", 5), newName: "orders" }), /already used/);
    await assert.rejects(client.request("textDocument/rename", { ...at(uri, PIPELINE, "  raw:", 3), newName: "out" }), /already used as a connection name/);
    const prepared = await client.request<{ placeholder: string }>("textDocument/prepareRename", at(uri, PIPELINE, "connection: lake", 13));
    assert.equal(prepared.placeholder, "lake");
  });
});

describe("outline, folding, links, code lenses", () => {
  it("document symbols list connections and steps with their kind", async () => {
    const { uri } = await openDoc(PIPELINE);
    const symbols = await client.request<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => s.name), ["connections", "orders", "paid", "save", "archive", "report"]);
    assert.deepEqual(symbols[0]?.children?.map((c) => `${c.name}:${c.detail}`), ["raw:file", "out:file", "db:postgres", "lake:s3"]);
    assert.equal(symbols[2]?.detail, "transform");
  });

  it("folding ranges cover sections and steps", async () => {
    const { uri } = await openDoc(PIPELINE);
    const ranges = await client.request<FoldingRange[]>("textDocument/foldingRange", { textDocument: { uri } });
    const steps = pos(PIPELINE, "steps:").line;
    assert.ok(ranges.some((r) => r.startLine === steps && r.endLine === PIPELINE.trimEnd().split("\n").length - 1));
    assert.ok(ranges.some((r) => r.startLine === pos(PIPELINE, "- id: paid").line));
  });

  it("document links for file paths that exist, not for the ones that do not", async () => {
    const { uri } = await openDoc(PIPELINE);
    const links = await client.request<DocumentLink[]>("textDocument/documentLink", { textDocument: { uri } });
    assert.equal(links.length, 1);
    assert.ok(links[0]?.target?.endsWith("/data/orders.csv"));
    assert.deepEqual(links[0]?.range.start, pos(PIPELINE, "orders.csv"));
  });

  it("code lenses: one Preview DAG on the first key line; Run step and Preview rows on each step, at the first request", async () => {
    const uri = ws.fileUri(`f${n++}.etl.yaml`);
    const text = `# orders, every day\n${PIPELINE}`;
    await client.open(uri, text);
    const lenses = await client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });
    const dag = lenses.filter((l) => l.command?.command === COMMANDS.previewDag);
    assert.equal(dag.length, 1);
    assert.equal(dag[0]?.range.start.line, pos(text, "version: 1").line);
    const ids = ["orders", "paid", "save", "archive", "report"];
    for (const command of [COMMANDS.runStep, COMMANDS.previewRows]) {
      const mine = lenses.filter((l) => l.command?.command === command);
      assert.deepEqual(mine.map((l) => l.command?.arguments), ids.map((stepId) => [{ uri, stepId }]), command);
      assert.deepEqual(mine.map((l) => l.range.start.line), ids.map((id) => pos(text, `- id: ${id}`).line), command);
    }
    assert.deepEqual(lenses.filter((l) => l.range.start.line === pos(text, "- id: paid").line).map((l) => l.command?.title), ["▶ Run step", "Preview rows"]);
  });
});

async function actions(text: string, code: string): Promise<{ uri: string; actions: CodeAction[] }> {
  const { uri, diagnostics } = await openDoc(text);
  const mine = diagnostics.filter((d) => d.code === code);
  assert.ok(mine.length > 0, `a ${code} diagnostic in ${JSON.stringify(diagnostics.map((d) => d.code))}`);
  const result = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: mine[0]?.range, context: { diagnostics: mine } });
  return { uri, actions: result };
}

describe("quick fixes", () => {
  it("unknown key → the closest key; unknown step → the closest id; duplicate id → a free id", async () => {
    const key = await actions(PIPELINE.replace("    depends_on: [paid]\n    load:", "    depend_on: [paid]\n    load:"), "schema");
    assert.equal(key.actions[0]?.edit?.changes?.[key.uri]?.[0]?.newText, "depends_on");
    assert.equal(key.actions[0]?.title, "Change to depends_on", "a title is plain text: no code-span backticks");
    const step = await actions(PIPELINE.replace("depends_on: [save]", "depends_on: [sav]"), "unknown-step");
    assert.equal(step.actions[0]?.edit?.changes?.[step.uri]?.[0]?.newText, "save");
    const dup = await actions(PIPELINE.replace("- id: archive", "- id: save"), "duplicate-step-id");
    assert.equal(dup.actions[0]?.edit?.changes?.[dup.uri]?.[0]?.newText, "save_2");
    assert.equal(dup.actions[0]?.title, "Rename to save_2");
  });

  it("hardcoded secret → ${env:NAME}, and NAME= (never the secret) appended to .env", async () => {
    const secret = `pw${Date.now()}`;
    const { uri, actions: found } = await actions(PIPELINE.replace("url: ${env:FROM_DOTENV}", `password: ${secret}`), "hardcoded-secret");
    assert.equal(found[0]?.edit?.changes?.[uri]?.[0]?.newText, "${env:DB_PASSWORD}");
    assert.deepEqual(found.map((a) => a.title), ["Replace the secret with ${env:DB_PASSWORD}", "Add DB_PASSWORD= to .env (fill in the value there)"]);
    const env = found[1]?.edit?.documentChanges?.[0] as { textDocument: { uri: string }; edits: TextEdit[] };
    assert.ok(env.textDocument.uri.endsWith("/.env"));
    assert.equal(env.edits[0]?.newText, "DB_PASSWORD=\n");
    assert.doesNotMatch(JSON.stringify(found), new RegExp(secret));
  });

  it("template in a SQL string literal → the template alone, bound as a value", async () => {
    const text = PIPELINE.replace("      query: select 1", "      query: \"DELETE FROM t WHERE day = '{{ ds }}' -- keep\"");
    const { uri, actions: found } = await actions(text, "template-in-sql-literal");
    assert.equal(found[0]?.title, "Remove the quotes: bind the template as a value");
    const edit = found[0]?.edit?.changes?.[uri]?.[0];
    assert.equal(edit?.newText, "{{ ds }}");
    assert.deepEqual(edit?.range.start, pos(text, "'{{ ds }}'"));
    assert.deepEqual(edit?.range.end, pos(text, "'{{ ds }}'", "'{{ ds }}'".length));
  });

  it("${…} unquoted in a flow map → the value quoted", async () => {
    const text = PIPELINE.replace("    type: s3\n    bucket: b", "    type: s3\n    options: {bucket: ${env:BUCKET}, region: eu}");
    const { uri, actions: found } = await actions(text, "yaml-syntax");
    assert.equal(found[0]?.title, 'Quote the value: "${env:BUCKET}"');
    const edit = found[0]?.edit?.changes?.[uri]?.[0];
    assert.equal(edit?.newText, '"${env:BUCKET}"');
    assert.deepEqual(edit?.range.start, pos(text, "${env:BUCKET}"));
    assert.deepEqual(edit?.range.end, pos(text, "${env:BUCKET}", "${env:BUCKET}".length));
  });

  it("missing input → add depends_on", async () => {
    const text = PIPELINE.replace("    depends_on: [paid]\n    load:\n      connection: out", "    load:\n      connection: out");
    const { uri, actions: found } = await actions(text, "missing-input");
    const edit = found[0]?.edit?.changes?.[uri]?.[0];
    assert.equal(edit?.newText, "depends_on: [paid]\n    ");
  });
});

describe("formatting", () => {
  it("normalizes indentation and key order and keeps comments", async () => {
    const messy = "# header\nname: orders\nversion: 1\nsteps:\n- extract:\n      path: a.csv  # the input\n      connection: raw\n  id: orders\nconnections:\n    raw:\n        root: ./data\n        type: file\n";
    const { uri } = await openDoc(messy);
    const edits = await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.equal(
      edits[0]?.newText,
      "# header\n\nversion: 1\nname: orders\nconnections:\n  raw:\n    type: file\n    root: ./data\nsteps:\n  - id: orders\n    extract:\n      connection: raw\n      path: a.csv # the input\n",
    );
  });

  it("makes no edit to a file that does not parse", async () => {
    const { uri } = await openDoc("version: 1\nsteps: [\n");
    const edits = await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(edits, []);
  });
});

describe("custom requests and settings", () => {
  it("agent-etl/dag gives nodes with ranges, edges, levels; agent-etl/steps the steps", async () => {
    const { uri } = await openDoc(PIPELINE);
    const dag = await client.request<DagResult>(DAG_REQUEST, { uri });
    assert.equal(dag.name, "orders_daily");
    assert.deepEqual(dag.levels, [["orders"], ["paid"], ["save", "archive"], ["report"]]);
    assert.deepEqual(dag.nodes.find((x) => x.id === "report"), {
      id: "report",
      kind: "sql",
      connection: "db",
      description: null,
      range: { start: pos(PIPELINE, "id: report"), end: { line: PIPELINE.split("\n").length - 1, character: 0 } },
      idRange: { start: pos(PIPELINE, "report"), end: pos(PIPELINE, "report", 6) },
      problems: [],
    });
    assert.equal(dag.errorCount, 0);
    assert.deepEqual(dag.missing, []);
    assert.deepEqual(dag.edges.length, 4);
    const steps = await client.request<StepsResult>(STEPS_REQUEST, { uri });
    assert.deepEqual(steps.steps.map((s) => s.id), ["orders", "paid", "save", "archive", "report"]);
  });

  it("agent-etl/dag marks the steps with problems and lists dependencies on no step", async () => {
    const text = PIPELINE.replace("depends_on: [orders]", "depends_on: [orders, ghost_step]");
    assert.notEqual(text, PIPELINE);
    const { uri } = await openDoc(text);
    const dag = await client.request<DagResult>(DAG_REQUEST, { uri });
    assert.deepEqual(dag.missing, [{ step: "paid", missing: "ghost_step" }]);
    const paid = dag.nodes.find((x) => x.id === "paid");
    assert.deepEqual(paid?.problems.map((p) => [p.code, p.severity]), [["unknown-step", "error"]]);
    assert.match(paid?.problems[0]?.message ?? "", /ghost_step/);
    assert.deepEqual(dag.nodes.filter((x) => x.problems.length > 0).map((x) => x.id), ["paid"]);
  });

  it("a request on a closed document fails cleanly", async () => {
    const { uri } = await openDoc(PIPELINE);
    await client.close(uri);
    await assert.rejects(client.request(DAG_REQUEST, { uri }), /is not open/);
    await assert.rejects(client.request(STEPS_REQUEST, { uri }), /is not open/);
    assert.equal(await client.request("textDocument/hover", at(uri, PIPELINE, "paid")), null);
    assert.equal(await client.request("textDocument/completion", at(uri, PIPELINE, "paid")), null);
  });

  it("settings come from workspace/configuration (section agentEtl), per document", async () => {
    const { uri, diagnostics } = await openDoc(PIPELINE.replace("${env:FROM_DOTENV}", "${env:FROM_SETTINGS_FILE}"));
    assert.equal(diagnostics.filter((d) => d.code === "missing-env").length, 0);
    assert.ok(client.configurationRequests.some((r) => r.section === "agentEtl" && r.scopeUri === uri));
    const before = client.configurationRequests.filter((r) => r.scopeUri === uri).length;
    await client.request("textDocument/hover", at(uri, PIPELINE, "paid"));
    assert.equal(client.configurationRequests.filter((r) => r.scopeUri === uri).length, before, "cached per URI");
  });

  it("the server also runs over node IPC", async () => {
    const ipc = await LspClient.startIpc();
    try {
      const uri = ws.fileUri("ipc.etl.yaml");
      await ipc.open(uri, "version: 1\n");
      const got = await ipc.diagnostics(uri, { version: 1 });
      assert.ok(got.diagnostics.some((d) => d.code === "schema"));
    } finally {
      await ipc.stop();
    }
  });
});

describe("code lenses stay put", () => {
  /** Each lens as one comparable line: where, what, for which step. */
  const shape = (lenses: CodeLens[]) => lenses.map((l) => `${l.range.start.line} ${l.command?.title} ${JSON.stringify(l.command?.arguments)}`).sort();
  const lensesOf = (uri: string) => client.request<CodeLens[]>("textDocument/codeLens", { textDocument: { uri } });

  it("an error typed anywhere (a quote, a bracket, a stray key, a bad indent) keeps every lens, with no wait", async () => {
    const uri = ws.fileUri(`f${n++}.etl.yaml`);
    await client.open(uri, PIPELINE);
    const valid = shape(await lensesOf(uri));
    assert.equal(valid.length, 11);
    const broken = [
      PIPELINE.replace("- filter: status = 'paid'", "- filter: \"status = 'paid'"),
      PIPELINE.replace("name: orders_daily", "name: [orders_daily"),
      PIPELINE.replace("      path: paid.jsonl", "  stray"),
      PIPELINE.replace("    depends_on: [save]", "   depends_on: [save]"),
      PIPELINE.replace("      query: select 1", "      query: {select 1"),
    ];
    for (const text of broken) {
      await client.replace(uri, text);
      assert.deepEqual(shape(await lensesOf(uri)), valid, text);
    }
    await client.replace(uri, PIPELINE);
    assert.deepEqual(shape(await lensesOf(uri)), valid);
  });

  it("a step whose id is being retyped keeps its lenses; a new step gets them once it has an id", async () => {
    const uri = ws.fileUri(`f${n++}.etl.yaml`);
    await client.open(uri, PIPELINE);
    const valid = shape(await lensesOf(uri));
    await client.replace(uri, PIPELINE.replace("- id: save", "- id: "));
    assert.deepEqual(shape(await lensesOf(uri)), valid);
    await client.replace(uri, PIPELINE.replace("- id: save", "- id: sav"));
    const renamed = await lensesOf(uri);
    assert.equal(renamed.length, 11);
    assert.ok(renamed.some((l) => JSON.stringify(l.command?.arguments) === JSON.stringify([{ uri, stepId: "sav" }])));
    const added = PIPELINE.replace("  - id: report", "  - \n  - id: report");
    await client.replace(uri, added);
    assert.equal((await lensesOf(uri)).length, 11, "no lens for a step without an id");
    await client.replace(uri, added.replace("  - \n", "  - id: more\n"));
    assert.equal((await lensesOf(uri)).length, 13);
  });
});
