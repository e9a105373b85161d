/** What commands need: the client, settings, logging, runs and the preview, in one place. */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { Config } from "./config";
import { DagPanel } from "./dagPanel";
import { Log } from "./log";
import { RunManager } from "./run/runManager";
import { summary, type RunState } from "./run/runStatus";
import { ServerApi } from "./serverApi";
import { COMMANDS } from "../../server/src/protocol";

export class Ctx implements vscode.Disposable {
  readonly log = new Log();
  readonly config: Config;
  readonly runs: RunManager;
  client: LanguageClient | undefined;
  private apiInstance: ServerApi | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.config = new Config(extension.extensionPath);
    this.runs = new RunManager(this.log, () => this.api, (s) => this.runEnded(s));
  }

  get api(): ServerApi | undefined {
    if (!this.client) return undefined;
    this.apiInstance ??= new ServerApi(this.client);
    return this.apiInstance;
  }

  showPreview(uri: vscode.Uri): DagPanel {
    return DagPanel.show(this.extension.extensionUri, uri, { api: () => this.api, runs: this.runs, log: this.log });
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
    this.log.dispose();
  }
}
