/**
 * The "Preview rows" panels: one per (pipeline, step), reused when asked again or refreshed. The
 * rows come from `agent-etl preview … --format json` run through the CLI (so the editor shows exactly
 * what a run would compute); the document is rebuilt from them each time, with a fresh nonce.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";
import { runCli } from "../cliProcess";
import type { Config } from "../config";
import type { Log } from "../log";
import { saveIfDirty } from "../target";
import { parsePreviewOutput, previewArgs } from "./contract";
import { rowsHtml, type FromRowsWebview, type RowsView } from "./html";

export interface RowsDeps {
  config: Config;
  log: Log;
}

export class RowsPanel implements vscode.Disposable {
  static readonly viewType = "agentEtl.previewRows";
  private static readonly open = new Map<string, RowsPanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private running: Promise<void> | undefined;
  private disposed = false;

  /** Shows the step's rows: the panel already open for it (refreshed), or a new one beside the editor. */
  static async show(deps: RowsDeps, uri: vscode.Uri, stepId: string): Promise<RowsPanel> {
    const key = `${uri.toString()}#${stepId}`;
    let panel = RowsPanel.open.get(key);
    if (panel) {
      panel.panel.reveal(undefined, true);
    } else {
      const webview = vscode.window.createWebviewPanel(RowsPanel.viewType, `Rows: ${stepId}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        enableFindWidget: true,
        localResourceRoots: [],
      });
      panel = new RowsPanel(webview, deps, uri, stepId, key);
      RowsPanel.open.set(key, panel);
    }
    await panel.refresh();
    return panel;
  }

  static disposeAll(): void {
    for (const p of [...RowsPanel.open.values()]) p.dispose();
  }

  /** Settles when the first page (the loading view) has loaded in the webview. */
  private loaded: Promise<void> = Promise.resolve();
  private markLoaded?: () => void;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: RowsDeps,
    private readonly uri: vscode.Uri,
    private readonly stepId: string,
    private readonly key: string,
  ) {
    panel.webview.html = rowsHtml(this.view({ kind: "loading" }), nonce());
    this.loaded = new Promise((resolve) => (this.markLoaded = resolve));
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: FromRowsWebview) => this.receive(m), null, this.disposables);
  }

  private view(state: { kind: "loading" } | Omit<Extract<RowsView, { kind: "result" }>, "file" | "stepId"> | Omit<Extract<RowsView, { kind: "error" }>, "file" | "stepId">): RowsView {
    return { ...state, file: this.uri.fsPath, stepId: this.stepId } as RowsView;
  }

  private receive(m: FromRowsWebview): void {
    if (m.type === "ready") this.markLoaded?.();
    else if (m.type === "refresh") void this.refresh();
    else if (m.type === "showLogs") this.deps.log.show();
  }

  /** Runs the preview again (one at a time: a second request while one runs waits for it). */
  refresh(): Promise<void> {
    this.running ??= this.load().finally(() => (this.running = undefined));
    return this.running;
  }

  private async load(): Promise<void> {
    void this.panel.webview.postMessage({ type: "busy" });
    // The CLI reads the file from disk: what the editor shows must be what it previews.
    await saveIfDirty(this.uri);
    const started = Date.now();
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Preview rows of ${this.stepId}` },
      () => runCli(this.deps.config, this.deps.log, this.uri, previewArgs(this.uri.fsPath, this.stepId)));
    if (this.disposed) return;
    const outcome = parsePreviewOutput(result.stdout, result.code, result.stderr);
    if (outcome.ok) this.deps.log.info(`Preview rows of ${this.stepId} (${path.basename(this.uri.fsPath)}): ${outcome.result.rows.length} rows in ${Date.now() - started} ms`);
    else this.deps.log.warn(`Preview rows of ${this.stepId} (${path.basename(this.uri.fsPath)}) failed: [${outcome.error.code}] ${outcome.error.message}`);
    await this.firstPageLoaded();
    if (this.disposed) return;
    this.panel.webview.html = rowsHtml(this.view(outcome.ok ? { kind: "result", result: outcome.result } : { kind: "error", error: outcome.error }), nonce());
  }

  /**
   * Replacing the html before the first page has loaded can leave the webview on the first one
   * (seen in code-server: "Loading…" and a disabled Refresh for good), and on a busy machine that
   * page took more than 2 s. So: until the page says it is ready, unless the panel is hidden (a
   * hidden webview loads whatever html it has when shown) or 30 s went by.
   */
  private async firstPageLoaded(): Promise<void> {
    if (!this.panel.visible) return;
    const disposables: vscode.Disposable[] = [];
    let timer: NodeJS.Timeout | undefined;
    const hidden = new Promise<void>((resolve) => {
      disposables.push(this.panel.onDidChangeViewState((e) => (e.webviewPanel.visible ? undefined : resolve())));
      timer = setTimeout(resolve, 30_000);
    });
    try {
      await Promise.race([this.loaded, hidden]);
    } finally {
      clearTimeout(timer);
      for (const d of disposables) d.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    RowsPanel.open.delete(this.key);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function nonce(): string {
  return randomBytes(16).toString("base64");
}
