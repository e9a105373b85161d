/**
 * The run history of the workspace's pipelines, asked of the CLI (`agent-etl runs FILE --format
 * json`, an argument array) and kept until it changes: a file under a `.etl/history/` folder changes
 * (any run, from the terminal, Airflow or the editor), or someone asks again (Refresh).
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { failureText, runCli } from "../cliProcess";
import type { Config } from "../config";
import type { Log } from "../log";
import { HISTORY_FOLDER, parseRuns, runsArgs, type Run } from "./contract";

/** The recorded runs of a pipeline, newest first, or why they could not be read. */
export type HistoryResult = { ok: true; runs: Run[] } | { ok: false; error: string };

/** Changes of history files, gathered this long before the runs are asked for again. */
const SETTLE_MS = 300;

export class RunHistory implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<HistoryResult>>();
  private readonly changed = new vscode.EventEmitter<string[]>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly touched = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Fires with the pipeline files whose history changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly config: Config, private readonly log: Log) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${HISTORY_FOLDER}/**`);
    this.disposables.push(watcher, watcher.onDidCreate((u) => this.historyChanged(u)), watcher.onDidChange((u) => this.historyChanged(u)), watcher.onDidDelete((u) => this.historyChanged(u)));
  }

  /** The recorded runs of the pipeline `file` (fs path), from the cache while its history is unchanged. */
  runs(file: string): Promise<HistoryResult> {
    let result = this.cache.get(file);
    if (!result) {
      result = this.load(file);
      this.cache.set(file, result);
    }
    return result;
  }

  /** Forgets what was read for `files` (all when none are given) and says so. */
  invalidate(files?: readonly string[]): void {
    const which = files ?? [...this.cache.keys()];
    for (const f of which) this.cache.delete(f);
    this.changed.fire([...which]);
  }

  private async load(file: string): Promise<HistoryResult> {
    const result = await runCli(this.config, this.log, vscode.Uri.file(file), runsArgs(file));
    if (result.code !== 0) return { ok: false, error: failureText(result) };
    try {
      return { ok: true, runs: parseRuns(result.stdout) };
    } catch (err: unknown) {
      const error = err instanceof Error ? err.message : String(err);
      this.log.warn(`run history of ${file}: ${error}`);
      return { ok: false, error };
    }
  }

  /** A file under `<folder>/.etl/history/` changed: the pipelines in `<folder>` have new runs. */
  private historyChanged(uri: vscode.Uri): void {
    const marker = `${path.sep}${HISTORY_FOLDER.split("/").join(path.sep)}${path.sep}`;
    const at = uri.fsPath.indexOf(marker);
    if (at >= 0) this.touched.add(uri.fsPath.slice(0, at));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const folders = [...this.touched];
      this.touched.clear();
      const files = [...this.cache.keys()].filter((f) => folders.includes(path.dirname(f)));
      if (files.length > 0) this.invalidate(files);
    }, SETTLE_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
