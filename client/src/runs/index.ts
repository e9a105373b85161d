/** The Runs view: its tree, its documents and the commands of its items, registered together. */
import * as vscode from "vscode";
import { COMMANDS } from "../../../server/src/protocol";
import type { Ctx } from "../ctx";
import { requestFailure } from "../serverApi";
import { runMarkdown, stepMarkdown } from "./summary";
import { RunDocuments, RUN_SCHEME } from "./runDocuments";
import { RUNS_COMMANDS, RUNS_VIEW, RunsTree, type RunNode, type StepNode } from "./runsTree";

/** Arguments of `agentEtl.resumeRun` that name the run to resume (the Runs view's "Resume"). */
export interface ResumeRunArgs {
  uri: string;
  runId: string;
}

/** A run id or step id as a file name part: anything but letters, digits, `-`, `_` and `.` becomes `_`. */
const namePart = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, "_") || "run";

function isStepNode(n: unknown): n is StepNode {
  return !!n && typeof n === "object" && (n as StepNode).kind === "step";
}
function isRunNode(n: unknown): n is RunNode {
  return !!n && typeof n === "object" && (n as RunNode).kind === "run";
}

/** Resumes the run of a run or step item (the resume command checks trust and starts the task). */
async function resume(node: unknown): Promise<void> {
  if (!isRunNode(node) && !isStepNode(node)) return;
  const args: ResumeRunArgs = { uri: vscode.Uri.file(node.file).toString(), runId: node.run.run_id };
  await vscode.commands.executeCommand(COMMANDS.resumeRun, args);
}

/** Puts the cursor on the failed step in its pipeline and says its error and the fix, with Resume. */
async function showFix(ctx: Ctx, node: unknown): Promise<void> {
  if (!isStepNode(node)) return;
  const uri = vscode.Uri.file(node.file);
  const editor = await vscode.window.showTextDocument(uri, { preview: false });
  try {
    const step = (await ctx.api?.steps(uri.toString()))?.steps.find((s) => s.id === node.step.id);
    if (step) {
      const r = step.idRange;
      const at = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
      editor.selection = new vscode.Selection(at.start, at.start);
      editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  } catch (err: unknown) {
    ctx.log.warn(`Show Fix: cannot find step ${node.step.id} in ${node.file}: ${requestFailure(err)}`);
  }
  const error = node.step.error;
  const text = error
    ? `Step ${node.step.id} failed: ${error.message}${error.fix ? ` Fix: ${error.fix}` : " (the runner gave no fix)"}`
    : `Step ${node.step.id} ${node.step.status} in this run, with no error recorded.`;
  const pick = await vscode.window.showWarningMessage(text, ...(node.run.run_id ? ["Resume"] : []));
  if (pick === "Resume") await resume(node);
}

export function registerRunsView(ctx: Ctx): vscode.Disposable[] {
  const tree = new RunsTree(ctx.history, ctx.runs);
  const view = vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const docs = new RunDocuments();
  view.message = RunsTree.message();
  const base = (n: RunNode | StepNode) => `${namePart(n.run.pipeline)}/${namePart(n.run.run_id || "starting")}`;
  return [
    tree, view, docs,
    vscode.workspace.registerTextDocumentContentProvider(RUN_SCHEME, docs),
    vscode.workspace.onDidGrantWorkspaceTrust(() => (view.message = RunsTree.message())),
    vscode.commands.registerCommand(RUNS_COMMANDS.refresh, () => tree.refresh()),
    vscode.commands.registerCommand(RUNS_COMMANDS.openRun, (n: unknown) => isRunNode(n) && docs.show(`${base(n)}.md`, runMarkdown(n.run))),
    vscode.commands.registerCommand(RUNS_COMMANDS.openStep, (n: unknown) => isStepNode(n) && docs.show(`${base(n)}/${namePart(n.step.id)}.md`, stepMarkdown(n.run, n.step, n.rowsHistory))),
    vscode.commands.registerCommand(RUNS_COMMANDS.resume, (n: unknown) => resume(n)),
    vscode.commands.registerCommand(RUNS_COMMANDS.showFix, (n: unknown) => showFix(ctx, n)),
  ];
}
