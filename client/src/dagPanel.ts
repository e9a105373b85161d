/**
 * The DAG preview panel (host side): one instance, beside the editor, following the active
 * pipeline. It asks the server for the graph (never parses), relays run status, and maps clicks
 * back to the step in the editor. CSP with a nonce, local resources only (denoland/vscode_deno's
 * welcome panel is the model).
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";
import type { DagResult, Range } from "../../server/src/protocol";
import type { FromWebview, RunView, ToWebview } from "./preview/messages";
import { previewHtml } from "./preview/page";
import { summary, type RunState } from "./run/runStatus";
import type { RunManager } from "./run/runManager";
import { requestFailure, type ServerApi } from "./serverApi";
import { isPipelineDocument } from "./target";
import type { Log } from "./log";

function runView(state: RunState | undefined): RunView | null {
  if (!state) return null;
  const steps = Object.fromEntries(Object.entries(state.steps).map(([id, s]) => [id, { state: s.state, rows: s.rows, attempt: s.attempt, error: s.error, checks: s.failedChecks.map((c) => ({ check: c.check, severity: c.severity, message: c.message })) }]));
  return { phase: state.phase, summary: summary(state, (p) => vscode.workspace.asRelativePath(p)), steps };
}

function contains(r: Range, pos: vscode.Position): boolean {
  const after = pos.line > r.start.line || (pos.line === r.start.line && pos.character >= r.start.character);
  const before = pos.line < r.end.line || (pos.line === r.end.line && pos.character <= r.end.character);
  return after && before;
}

/** `lastRun`: the pipeline's last recorded run, shown while the editor follows none of its runs. */
export interface PanelDeps {
  api: () => ServerApi | undefined;
  runs: RunManager;
  log: Log;
  lastRun: (file: string) => Promise<RunView | null>;
}

export class DagPanel implements vscode.Disposable {
  static readonly viewType = "agentEtl.dagPreview";
  static current: DagPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private uri: vscode.Uri;
  private dag: DagResult | undefined;
  private ready = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private highlighted: string | null = null;

  static show(extensionUri: vscode.Uri, uri: vscode.Uri, deps: PanelDeps): DagPanel {
    if (DagPanel.current) {
      DagPanel.current.follow(uri);
      DagPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return DagPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DagPanel.viewType, "DAG", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist")],
    });
    panel.iconPath = vscode.Uri.joinPath(extensionUri, "images", "pipeline.svg");
    DagPanel.current = new DagPanel(panel, extensionUri, uri, deps);
    return DagPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    uri: vscode.Uri,
    private readonly deps: PanelDeps,
  ) {
    this.uri = uri;
    panel.webview.html = this.html(panel.webview, extensionUri);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: FromWebview) => void this.receive(m), null, this.disposables);
    vscode.window.onDidChangeActiveTextEditor((e) => e && isPipelineDocument(e.document) && this.follow(e.document.uri), null, this.disposables);
    vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.toString() === this.uri.toString() && this.scheduleRefresh(), null, this.disposables);
    vscode.window.onDidChangeTextEditorSelection((e) => this.cursorMoved(e.textEditor), null, this.disposables);
    deps.runs.onDidChange((s) => s.file === this.uri.fsPath && this.post({ type: "run", run: runView(s) }), null, this.disposables);
    this.updateTitle();
  }

  private post(m: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  /** Whether the open preview shows this pipeline file (fs path). */
  static showing(file: string): boolean {
    return DagPanel.current?.uri.fsPath === file;
  }

  private follow(uri: vscode.Uri): void {
    if (uri.toString() === this.uri.toString()) return;
    this.uri = uri;
    this.dag = undefined;
    this.highlighted = null;
    this.updateTitle();
    void this.postRun();
    void this.refresh();
  }

  /** The run the editor follows for this pipeline, else its last recorded one. */
  private async postRun(): Promise<void> {
    const file = this.uri.fsPath;
    const live = this.deps.runs.latestFor(file);
    this.post({ type: "run", run: runView(live) });
    if (live) return;
    const last = await this.deps.lastRun(file).catch(() => null);
    if (last && this.uri.fsPath === file && !this.deps.runs.latestFor(file)) this.post({ type: "run", run: last });
  }

  private updateTitle(): void {
    this.panel.title = `DAG: ${path.basename(this.uri.fsPath)}`;
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), 200);
  }

  async refresh(): Promise<void> {
    const api = this.deps.api();
    if (!api || !this.ready) return;
    const uri = this.uri;
    try {
      // The server answers for open documents: make sure this one is open.
      await vscode.workspace.openTextDocument(uri);
      const dag = await api.dag(uri.toString());
      if (uri.toString() !== this.uri.toString()) return;
      this.dag = dag;
      this.post({ type: "graph", graph: { uri: dag.uri, version: dag.version, name: dag.name, nodes: dag.nodes.map(({ id, kind, connection, description, problems }) => ({ id, kind, connection, description, problems })), edges: dag.edges, cycles: dag.cycles, missing: dag.missing, errorCount: dag.errorCount } });
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
      if (editor) this.cursorMoved(editor);
    } catch (err: unknown) {
      this.deps.log.error(`DAG of ${uri.fsPath}`, err);
      this.post({ type: "message", text: `Cannot show the DAG of ${path.basename(uri.fsPath)}: ${requestFailure(err)}` });
    }
  }

  private cursorMoved(editor: vscode.TextEditor): void {
    if (!this.dag || editor.document.uri.toString() !== this.uri.toString()) return;
    const pos = editor.selection.active;
    const hit = this.dag.nodes.filter((n) => contains(n.range, pos)).sort((a, b) => (a.range.end.line - a.range.start.line) - (b.range.end.line - b.range.start.line))[0];
    const id = hit?.id ?? null;
    if (id === this.highlighted) return;
    this.highlighted = id;
    this.post({ type: "highlight", id, reveal: true });
  }

  private async receive(m: FromWebview): Promise<void> {
    switch (m.type) {
      case "ready":
        this.ready = true;
        void this.postRun();
        await this.refresh();
        return;
      case "reveal":
        await this.reveal(m.id);
        return;
      case "exportSvg":
        await this.saveSvg(m.svg);
        return;
      case "rendered":
        this.deps.log.info(`DAG preview: ${m.nodes} nodes laid out in ${m.layoutMs} ms`);
        return;
      case "error":
        this.deps.log.error(`DAG preview: ${m.message}`);
        return;
    }
  }

  /** Click on a node: show the step in its editor and put the cursor on its id. */
  private async reveal(id: string): Promise<void> {
    const node = this.dag?.nodes.find((n) => n.id === id);
    if (!node) return;
    const existing = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: existing?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const r = node.idRange;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    editor.selection = new vscode.Selection(range.start, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async saveSvg(svg: string): Promise<void> {
    const name = `${this.dag?.name ?? path.basename(this.uri.fsPath).replace(/\.etl\.ya?ml$/i, "")}.dag.svg`;
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(path.dirname(this.uri.fsPath), name)), filters: { SVG: ["svg"] } });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(svg, "utf8"));
    void vscode.window.showInformationMessage(`Saved the DAG picture to ${vscode.workspace.asRelativePath(target)}.`);
  }

  private html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
    const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "preview.js"));
    const nonce = randomBytes(16).toString("base64");
    return previewHtml({ cspSource: webview.cspSource, nonce, script: script.toString() });
  }

  dispose(): void {
    DagPanel.current = undefined;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
