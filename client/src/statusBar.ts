/** One status bar item: the active pipeline's state (problems, or the current/last run). */
import * as path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../../server/src/protocol";
import { counts, type RunState } from "./run/runStatus";
import type { RunManager } from "./run/runManager";
import { activePipelineEditor } from "./target";

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("agentEtl.status", vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor(private readonly runs: RunManager) {
    this.item.name = "Agent ETL";
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.languages.onDidChangeDiagnostics(() => this.update()),
      runs.onDidChange(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const editor = activePipelineEditor();
    if (!editor) {
      this.item.hide();
      return;
    }
    const uri = editor.document.uri;
    const run = this.runs.latestFor(uri.fsPath);
    const problems = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    if (run && (run.phase === "running" || run.phase === "starting")) this.showRun(run);
    else if (problems > 0) {
      this.item.text = `$(error) ETL: ${problems} error${problems === 1 ? "" : "s"}`;
      this.item.tooltip = `${path.basename(uri.fsPath)} has ${problems} error${problems === 1 ? "" : "s"}: see the Problems panel.`;
      this.item.command = "workbench.actions.view.problems";
    } else if (run) this.showRun(run);
    else {
      this.item.text = "$(type-hierarchy) ETL: ready";
      this.item.tooltip = `${path.basename(uri.fsPath)}: no errors. Click to preview the DAG.`;
      this.item.command = COMMANDS.previewDag;
    }
    this.item.show();
  }

  private showRun(run: RunState): void {
    const c = counts(run);
    const icon = { starting: "$(sync~spin)", running: "$(sync~spin)", succeeded: "$(pass)", failed: "$(error)", cancelled: "$(circle-slash)" }[run.phase];
    this.item.text = `${icon} ETL: ${run.phase} ${c.succeeded}/${c.total}`;
    this.item.tooltip = `Last run of ${path.basename(run.file)}: ${run.phase}, ${c.succeeded} of ${c.total} steps succeeded${c.loaded !== null ? `, ${c.loaded.toLocaleString("en-US")} rows loaded` : ""}. Click to preview the DAG.`;
    this.item.command = COMMANDS.previewDag;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
