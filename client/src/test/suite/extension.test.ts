/// <reference types="mocha" />
/**
 * The code-server scenarios (test/e2e) through the VS Code API, in a real VS Code on GitHub's runners:
 * diagnostics, completion, the DAG preview, a run in a task, the Airflow export.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { COMMANDS, LANGUAGE_ID } from "../../../../server/src/protocol";

const workspace = process.env.AGENT_ETL_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";

async function poll<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function open(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(path.join(workspace, name));
  return vscode.window.showTextDocument(doc);
}

function positionOf(doc: vscode.TextDocument, needle: string, after = 0): vscode.Position {
  const offset = doc.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in ${doc.fileName}`);
  return doc.positionAt(offset + after);
}

describe("Agent ETL extension", () => {
  it("gives pipeline files their own language and activates", async () => {
    const editor = await open("orders.etl.yaml");
    assert.equal(editor.document.languageId, LANGUAGE_ID);
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === "agent-etl");
    assert.ok(ext, "the extension is installed");
    await poll("activation", () => (ext.isActive ? true : undefined));
  });

  it("reports a broken file and clears the problem when fixed", async () => {
    const editor = await open("broken.etl.yaml");
    const uri = editor.document.uri;
    await poll("the unknown-step diagnostic", () => (vscode.languages.getDiagnostics(uri).some((d) => d.message.includes("frist")) ? true : undefined));
    const at = positionOf(editor.document, "frist");
    await editor.edit((e) => e.replace(new vscode.Range(at, at.translate(0, 5)), "first"));
    await poll("the diagnostics to clear", () => (vscode.languages.getDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error) ? undefined : true));
  });

  it("completes step ids and connection names", async () => {
    const editor = await open("complete.etl.yaml");
    const labels = async (pos: vscode.Position): Promise<string[]> => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", editor.document.uri, pos);
      return list.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
    };
    assert.ok((await labels(positionOf(editor.document, "depends_on: []", "depends_on: [".length))).includes("read_orders"));
    const names = await labels(positionOf(editor.document, "connection: \n", "connection: ".length));
    assert.ok(names.includes("lake") && names.includes("warehouse_db"), names.join(", "));
  });

  it("opens the DAG preview beside the editor", async () => {
    await open("orders.etl.yaml");
    await vscode.commands.executeCommand(COMMANDS.previewDag);
    await poll("the preview tab", () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith("DAG")));
  });

  it("previews a step's rows in one panel per step (the code lens's arguments)", async () => {
    const editor = await open("orders.etl.yaml");
    const args = { uri: editor.document.uri.toString(), stepId: "big_orders" };
    const rowsTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label === "Rows: big_orders");
    await vscode.commands.executeCommand(COMMANDS.previewRows, args);
    await poll("the rows tab", () => (rowsTabs().length === 1 ? true : undefined));
    await vscode.commands.executeCommand(COMMANDS.previewRows, args);
    assert.equal(rowsTabs().length, 1, "asking again reuses the step's panel");
  });

  it("runs the pipeline as a task and writes its output", async () => {
    await open("orders.etl.yaml");
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type === "agent-etl") {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    await vscode.commands.executeCommand(COMMANDS.runPipeline);
    assert.equal(await ended, 0);
    const rows = readFileSync(path.join(workspace, "out", "big_orders.csv"), "utf8").trim().split(/\r?\n/);
    assert.deepEqual(rows.slice(1).map((r) => r.split(",")[0]).sort(), ["2", "3", "5"]);
  });

  it("exports to Airflow with the workers' command and pipeline path from the settings, and opens the file", async () => {
    const config = vscode.workspace.getConfiguration("agentEtl");
    await config.update("airflow.cli", "agent-etl", vscode.ConfigurationTarget.Workspace);
    await config.update("airflow.pipelinePath", "/opt/airflow/repo/${relativeFile}", vscode.ConfigurationTarget.Workspace);
    await config.update("airflow.dagsFolder", "dags", vscode.ConfigurationTarget.Workspace);
    await open("orders.etl.yaml");
    const outcome = await vscode.commands.executeCommand<{ file: string; warnings: string[] } | undefined>(COMMANDS.exportAirflow);
    const file = path.join(workspace, "dags", "e2e_orders.py");
    assert.ok(outcome, "the export wrote a DAG");
    assert.equal(outcome.file, file);
    assert.ok(outcome.warnings.some((w) => w.includes("local folder")), outcome.warnings.join("; "));
    const dag = readFileSync(file, "utf8");
    assert.match(dag, /^PIPELINE = "\/opt\/airflow\/repo\/orders\.etl\.yaml"$/m);
    assert.match(dag, /^CLI = \["agent-etl"\]$/m);
    await poll("its editor", () => (vscode.window.activeTextEditor?.document.fileName === file ? true : undefined));
  });
});
