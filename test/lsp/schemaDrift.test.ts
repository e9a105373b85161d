// `schema-drift` in the language server over stdio, against a real PostgreSQL: a load whose records
// (a local CSV, through a transform) differ from its existing table gets a warning on `table`, and
// each of its quick fixes (`on_schema_change: evolve`, a rename/select mapping) makes it go away.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CodeAction, Diagnostic } from "vscode-languageserver-protocol";
import { TextDocument } from "vscode-languageserver-textdocument";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { LspClient, poll } from "./client";
import { ensureBuilt, makeWorkspace, pos, yaml, type Workspace } from "./fixtures";

let client: LspClient;
let ws: Workspace;
let pg: TestPostgres;

before(async () => {
  ensureBuilt();
  pg = await startPostgres();
  const url = await pg.createDatabase("drift_lsp");
  await pg.query("create table public.customer_copy (id int, names text, status text, loaded_at timestamptz default now())", [], "drift_lsp");
  ws = makeWorkspace();
  writeFileSync(join(ws.dir, "data", "customers.csv"), "id,name,status\n1,ada,paid\n");
  writeFileSync(join(ws.dir, ".env"), `DRIFT_DB_URL=${url}\n`);
  client = await LspClient.start({ rootUri: ws.uri, initializationOptions: { workspaceTrusted: true } });
});
after(async () => {
  await client?.stop();
  await pg?.stop();
});

const pipeline = (load: string) =>
  yaml(
    "version: 1",
    "name: drifted",
    "connections:",
    "  files: {type: file, root: ./data}",
    "  db: {type: postgres, url: \"${env:DRIFT_DB_URL}\"}",
    "steps:",
    "  - id: customers",
    "    extract: {connection: files, path: customers.csv}",
    "  - id: t",
    "    depends_on: [customers]",
    "    transform:",
    "      - select: [id, name, status]",
    "  - id: save",
    "    depends_on: [t]",
    `    load: ${load}`,
  );

const drift = (d: Diagnostic[]) => d.filter((x) => x.code === "schema-drift");

describe("schema-drift (real PostgreSQL)", () => {
  it("appears on a load whose records differ from its real table, and each quick fix removes it", async () => {
    const text = pipeline("{connection: db, table: public.customer_copy}");
    const uri = ws.fileUri("drift.etl.yaml");
    await client.open(uri, text);
    const found = await poll(() => [...client.published].reverse().find((p) => p.uri === uri && drift(p.diagnostics).length > 0), 30_000, "a schema-drift warning");
    const warnings = drift(found.diagnostics);
    assert.equal(warnings.length, 1);
    const warning = warnings[0] as Diagnostic;
    assert.equal(warning.severity, 2);
    assert.deepEqual(warning.range.start, pos(text, "public.customer_copy"));
    assert.match(warning.message, /new column "name" \(string\) that the table lacks; column "names" of the table is missing from the records \(it would load NULL\)/);
    assert.doesNotMatch(warning.message, /loaded_at/, "a column with a default is never missing");
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", { textDocument: { uri }, range: warning.range, context: { diagnostics: [warning] } });
    assert.deepEqual(actions.map((a) => a.title), ["Set on_schema_change: evolve (add columns and widen types inside the load)", "Map the columns to the table in step t: rename: {name: names}, select: [id, names, status]"]);
    const fixed = actions.map((a) => TextDocument.applyEdits(TextDocument.create(uri, "yaml", 1, text), a.edit?.changes?.[uri] ?? []));
    assert.match(fixed[0] ?? "", /load: \{connection: db, table: public\.customer_copy, on_schema_change: evolve\}/);
    assert.match(fixed[1] ?? "", /- select: \[id, name, status\]\n {6}- rename: \{name: names\}\n {6}- select: \[id, names, status\]\n {2}- id: save/);
    for (const after of fixed) {
      const from = client.published.length;
      const v = await client.replace(uri, after);
      const published = await client.diagnostics(uri, { version: v, from });
      assert.deepEqual(drift(published.diagnostics), [], after);
      assert.deepEqual(published.diagnostics.filter((d) => d.severity === 1), [], "the fixed file is valid");
    }
    await client.close(uri);
  });
});
