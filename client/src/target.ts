/**
 * Which pipeline file a command works on: the one it was given (explorer menu, code lens), else the
 * active editor's, else one the user picks; when there is none, a message says what is needed.
 */
import * as vscode from "vscode";
import { LANGUAGE_ID } from "../../server/src/protocol";

const PIPELINE_GLOB = "**/*.etl.{yaml,yml}";

function isPipelineUri(uri: vscode.Uri): boolean {
  return /\.etl\.ya?ml$/i.test(uri.path);
}

export function isPipelineDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === LANGUAGE_ID || isPipelineUri(doc.uri);
}

/** A command argument as VS Code passes it: a Uri (menus), a uri string or `{uri}` (code lenses). */
function uriFromArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === "string" && arg.includes(":")) return vscode.Uri.parse(arg);
  if (arg && typeof arg === "object" && "uri" in arg) return uriFromArg((arg as { uri: unknown }).uri);
  return undefined;
}

export function activePipelineEditor(): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (active && isPipelineDocument(active.document)) return active;
  // The DAG preview (a webview) may have focus: use the pipeline visible beside it.
  return vscode.window.visibleTextEditors.find((e) => isPipelineDocument(e.document));
}

/**
 * Resolves the pipeline for `action` ("Run Pipeline" …). Returns undefined after telling the user
 * what is needed when there is none.
 */
export async function targetPipeline(action: string, arg?: unknown): Promise<vscode.Uri | undefined> {
  const given = uriFromArg(arg);
  if (given) return given;
  const editor = activePipelineEditor();
  if (editor) return editor.document.uri;
  const files = await vscode.workspace.findFiles(PIPELINE_GLOB, "**/node_modules/**", 200);
  if (files.length === 0) {
    void vscode.window.showWarningMessage(`${action} needs a pipeline file: open or create a *.etl.yaml file (Agent ETL: Generate Pipeline from Source can write one).`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: `${action}: no pipeline file is active — pick one`, placeHolder: "*.etl.yaml files in this workspace" },
  );
  return picked?.uri;
}

/** Saves the pipeline's editor if it has unsaved changes: the CLI reads the file from disk. */
export async function saveIfDirty(uri: vscode.Uri): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
}
