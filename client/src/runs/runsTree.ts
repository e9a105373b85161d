/**
 * The "Agent ETL Runs" tree: the workspace's pipelines → their recent runs (recorded, and the one
 * the editor is following, live) → each run's steps. Off in Restricted Mode: listing runs starts the
 * CLI, which resolves a pipeline's secrets when its history is a database.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { Run, RunStep } from "./contract";
import { runDescription, runTooltip, statusIcon, stepDescription, stepRowsHistory, stepTooltip, formatStarted, type StatusIcon } from "./format";
import type { RunHistory } from "./history";
import { withLiveRun } from "./liveRun";
import type { RunManager } from "../run/runManager";
import { isFinished } from "../run/runStatus";
import { restrictedMessage } from "../trustMessages";

export const RUNS_VIEW = "agentEtl.runs";
const PIPELINE_GLOB = "**/*.etl.{yaml,yml}";

/** Command ids the view's items and menus use (package.json contributes them). */
export const RUNS_COMMANDS = {
  refresh: "agentEtl.refreshRuns",
  openRun: "agentEtl.openRun",
  openStep: "agentEtl.openRunStep",
  resume: "agentEtl.resumeFromRuns",
  showFix: "agentEtl.showStepFix",
} as const;

export interface PipelineNode {
  kind: "pipeline";
  file: string;
}
export interface RunNode {
  kind: "run";
  file: string;
  run: Run;
  /** The runs listed with it, newest first, and its place among them (for the steps' sparklines). */
  runs: Run[];
  index: number;
}
export interface StepNode {
  kind: "step";
  file: string;
  run: Run;
  step: RunStep;
  rowsHistory: (number | null)[];
}
export interface MessageNode {
  kind: "message";
  file: string;
  text: string;
  detail: string;
  icon: string;
}
export type RunsNode = PipelineNode | RunNode | StepNode | MessageNode;

/** Tree refreshes while a run is going, at most this often. */
const LIVE_REFRESH_MS = 250;

function themeIcon(i: StatusIcon): vscode.ThemeIcon {
  return new vscode.ThemeIcon(i.id, i.color ? new vscode.ThemeColor(i.color) : undefined);
}

export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly pipelines = new Map<string, PipelineNode>();
  private files: Thenable<string[]> | undefined;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly history: RunHistory, private readonly runs: RunManager) {
    const watcher = vscode.workspace.createFileSystemWatcher(PIPELINE_GLOB, false, true, false);
    this.disposables.push(
      watcher, watcher.onDidCreate(() => this.refresh()), watcher.onDidDelete(() => this.refresh()),
      history.onDidChange((files) => this.refreshFiles(files)),
      runs.onDidChange((s) => {
        // The run's end: its record is written now, read it again.
        if (isFinished(s)) this.history.invalidate([s.file]);
        else this.refreshFiles([s.file]);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
    );
  }

  /** Lists the pipelines again and forgets every pipeline's runs. */
  refresh(): void {
    this.files = undefined;
    this.history.invalidate();
    this.changed.fire(undefined);
  }

  /** Shows the runs of these pipelines again, gathering bursts (a run's events) into one update. */
  private refreshFiles(files: readonly string[]): void {
    for (const f of files) this.pending.add(f);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const shown = [...this.pending].some((f) => this.pipelines.has(f));
      this.pending.clear();
      // The whole tree: refreshing one pipeline's node left its expanded children as they were
      // (code-server 4.103); the pipelines' list and every unchanged history come from caches.
      if (shown) this.changed.fire(undefined);
    }, LIVE_REFRESH_MS);
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) return this.pipelineNodes();
    if (node.kind === "pipeline") return this.runNodes(node.file);
    if (node.kind === "run") return node.run.steps.map((step) => ({ kind: "step", file: node.file, run: node.run, step, rowsHistory: stepRowsHistory(node.runs, node.index, step.id) }));
    return [];
  }

  private async pipelineNodes(): Promise<RunsNode[]> {
    if (!vscode.workspace.isTrusted) return [];
    this.files ??= vscode.workspace.findFiles(PIPELINE_GLOB, "**/node_modules/**", 200).then((uris) => uris.map((u) => u.fsPath).sort((a, b) => vscode.workspace.asRelativePath(a).localeCompare(vscode.workspace.asRelativePath(b))));
    const files = await this.files;
    return files.map((file) => {
      let n = this.pipelines.get(file);
      if (!n) this.pipelines.set(file, (n = { kind: "pipeline", file }));
      return n;
    });
  }

  private async runNodes(file: string): Promise<RunsNode[]> {
    const recorded = await this.history.runs(file);
    const runs = withLiveRun(recorded.ok ? recorded.runs : [], this.runs.latestFor(file));
    const nodes: RunsNode[] = runs.map((run, index) => ({ kind: "run", file, run, runs, index }));
    if (!recorded.ok) nodes.unshift({ kind: "message", file, text: "Cannot read the run history", detail: recorded.error, icon: "warning" });
    else if (runs.length === 0) nodes.push({ kind: "message", file, text: "No runs yet", detail: "Run the pipeline (Agent ETL: Run Pipeline) and its runs show here.", icon: "info" });
    return nodes;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case "pipeline": {
        const item = new vscode.TreeItem(path.basename(node.file), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `pipeline:${node.file}`;
        const dir = path.dirname(vscode.workspace.asRelativePath(node.file));
        item.description = dir === "." ? "" : dir;
        item.tooltip = vscode.workspace.asRelativePath(node.file);
        item.iconPath = new vscode.ThemeIcon("type-hierarchy");
        item.contextValue = "agentEtl.pipeline";
        item.resourceUri = vscode.Uri.file(node.file);
        return item;
      }
      case "run": {
        const running = node.run.status === "running";
        const item = new vscode.TreeItem(formatStarted(node.run.started_at), running ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${node.file}:${node.run.run_id || "live"}`;
        item.description = runDescription(node.run);
        item.tooltip = runTooltip(node.run);
        item.iconPath = themeIcon(statusIcon(node.run.status));
        item.contextValue = `agentEtl.run.${node.run.status}`;
        item.command = { command: RUNS_COMMANDS.openRun, title: "Open Run Summary", arguments: [node] };
        return item;
      }
      case "step": {
        const item = new vscode.TreeItem(node.step.id, vscode.TreeItemCollapsibleState.None);
        item.id = `step:${node.file}:${node.run.run_id || "live"}:${node.step.id}`;
        item.description = stepDescription(node.step, node.rowsHistory);
        item.tooltip = stepTooltip(node.step, node.rowsHistory);
        item.iconPath = themeIcon(statusIcon(node.step.status));
        item.contextValue = `agentEtl.step.${node.step.status}`;
        item.command = { command: RUNS_COMMANDS.openStep, title: "Open Step Details", arguments: [node] };
        return item;
      }
      case "message": {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = `message:${node.file}:${node.text}`;
        item.description = node.detail;
        item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
    }
  }

  /** What the view says above its (empty) tree: why it is off in Restricted Mode. */
  static message(): string | undefined {
    return vscode.workspace.isTrusted ? undefined : restrictedMessage("Runs View");
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
