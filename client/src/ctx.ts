/** What commands need: the client, settings, logging, runs and the preview, in one place. */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { Config } from "./config";
import { DagPanel } from "./dagPanel";
import { Log } from "./log";
import type { RunView } from "./preview/messages";
import { RunManager } from "./run/runManager";
import { summary, type RunState } from "./run/runStatus";
import { RunHistory } from "./runs/history";
import { lastRunView } from "./runs/lastRun";
import { ServerApi } from "./serverApi";
import { COMMANDS } from "../../server/src/protocol";

export class Ctx implements vscode.Disposable {
  readonly log = new Log();
  readonly config: Config;
  readonly runs: RunManager;
  readonly history: RunHistory;
  client: LanguageClient | undefined;
  private apiInstance: ServerApi | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.config = new Config(extension.extensionPath);
    this.runs = new RunManager(this.log, () => this.api, (s) => this.runEnded(s));
    this.history = new RunHistory(this.config, this.log);
  }

  get api(): ServerApi | undefined {
    if (!this.client) return undefined;
    this.apiInstance ??= new ServerApi(this.client);
    return this.apiInstance;
  }

  showPreview(uri: vscode.Uri): DagPanel {
    return DagPanel.show(this.extension.extensionUri, uri, { api: () => this.api, runs: this.runs, log: this.log, lastRun: (file) => this.lastRun(file) });
  }

  /** The last recorded run of a pipeline file, for the DAG preview; none in Restricted Mode (the CLI would read its history). */
  private async lastRun(file: string): Promise<RunView | null> {
    if (!vscode.workspace.isTrusted) return null;
    const recorded = await this.history.runs(file);
    const last = recorded.ok ? recorded.runs[0] : undefined;
    return last ? lastRunView(last) : null;
  }

  /** The notification that closes a run, with the next useful action (none to open a preview already showing the run). */
  private async runEnded(state: RunState): Promise<void> {
    const text = summary(state, (p) => vscode.workspace.asRelativePath(p));
    if (state.phase === "succeeded") {
      const actions = DagPanel.showing(state.file) ? [] : ["Preview DAG"];
      const pick = await vscode.window.showInformationMessage(text, ...actions);
      if (pick) await vscode.commands.executeCommand(COMMANDS.previewDag, vscode.Uri.file(state.file));
    } else if (state.phase === "failed") {
      const pick = await vscode.window.showErrorMessage(text, "Resume", "Show Logs");
      if (pick === "Resume") await vscode.commands.executeCommand(COMMANDS.resumeRun, vscode.Uri.file(state.file));
      else if (pick) this.log.show();
    }
  }

  dispose(): void {
    DagPanel.current?.dispose();
    this.runs.dispose();
    this.history.dispose();
    this.log.dispose();
  }
}
