/**
 * `agentEtl.previewRows`: from the "Preview rows" code lens (`{uri, stepId}`), or from the palette
 * on a pipeline file, where the user picks the step (the one under the cursor is offered first).
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { PreviewRowsArgs } from "../../../server/src/protocol";
import type { Ctx } from "../ctx";
import { requestFailure, type ServerApi } from "../serverApi";
import { targetPipeline } from "../target";
import { requireTrust } from "../trust";
import { RowsPanel } from "./rowsPanel";

const ACTION = "Preview Rows";
/** The model's IDENTIFIER_PATTERN (not imported: it would pull the schema library into the extension). */
const STEP_ID = /^[a-z][a-z0-9_]{0,62}$/;
let cleanupRegistered = false;

function isPreviewRowsArgs(a: unknown): a is PreviewRowsArgs {
  return !!a && typeof a === "object" && typeof (a as PreviewRowsArgs).uri === "string" && typeof (a as PreviewRowsArgs).stepId === "string";
}

/** The step whose block holds the cursor, when the pipeline is the active editor. */
async function stepAtCursor(api: ServerApi, uri: vscode.Uri): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.toString() !== uri.toString()) return undefined;
  const pos = editor.selection.active;
  const dag = await api.dag(uri.toString()).catch(() => undefined);
  const inside = dag?.nodes.filter((n) => n.range.start.line <= pos.line && pos.line <= n.range.end.line);
  return inside?.sort((a, b) => (a.range.end.line - a.range.start.line) - (b.range.end.line - b.range.start.line))[0]?.id;
}

async function pickStep(ctx: Ctx, uri: vscode.Uri): Promise<string | undefined> {
  const api = ctx.api;
  if (!api) {
    void vscode.window.showWarningMessage(`${ACTION}: the language server is not running yet; try again in a moment, or use the "Preview rows" code lens above a step.`);
    return undefined;
  }
  let steps;
  try {
    await vscode.workspace.openTextDocument(uri);
    steps = (await api.steps(uri.toString())).steps;
  } catch (err: unknown) {
    void vscode.window.showErrorMessage(`${ACTION}: cannot list the steps of ${path.basename(uri.fsPath)}: ${requestFailure(err)}`);
    return undefined;
  }
  if (steps.length === 0) {
    void vscode.window.showWarningMessage(`${ACTION}: ${path.basename(uri.fsPath)} has no steps yet (or does not parse): add a step under \`steps:\`.`);
    return undefined;
  }
  const current = await stepAtCursor(api, uri);
  const items = steps.map((s) => ({ label: s.id, description: [s.kind, s.connection].filter(Boolean).join(" · ") }));
  const quickPick = vscode.window.createQuickPick<(typeof items)[number]>();
  quickPick.title = `${ACTION}: the first 50 rows a step outputs (its upstream steps run too, nothing is loaded)`;
  quickPick.placeholder = "Pick a step";
  quickPick.items = items;
  const active = items.find((i) => i.label === current);
  if (active) quickPick.activeItems = [active];
  return new Promise((resolve) => {
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]?.label ?? quickPick.activeItems[0]?.label);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

/** The command's handler. */
export async function previewRows(ctx: Ctx, arg: unknown): Promise<void> {
  if (!requireTrust(ACTION)) return;
  const uri = isPreviewRowsArgs(arg) ? vscode.Uri.parse(arg.uri) : await targetPipeline(ACTION, arg);
  if (!uri) return;
  if (uri.scheme !== "file") {
    void vscode.window.showWarningMessage(`${ACTION} runs the pipeline from its file: save ${path.basename(uri.path) || "it"} as a *.etl.yaml file first.`);
    return;
  }
  const stepId = isPreviewRowsArgs(arg) ? arg.stepId : await pickStep(ctx, uri);
  if (!stepId) return;
  if (!STEP_ID.test(stepId)) {
    void vscode.window.showErrorMessage(`${ACTION}: ${JSON.stringify(stepId.slice(0, 80))} is not a step id (lowercase letters, digits and _, starting with a letter).`);
    return;
  }
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    ctx.extension.subscriptions.push({ dispose: () => RowsPanel.disposeAll() });
  }
  await RowsPanel.show({ config: ctx.config, log: ctx.log }, uri, stepId);
}
