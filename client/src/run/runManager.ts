/**
 * Follows every `agent-etl` task run: tails its `--events` file, folds events into a RunState,
 * publishes it (status bar, DAG preview), puts failures into the Problems panel, and says how it
 * ended in a notification. Works for runs started by our commands and from tasks.json alike.
 */
import * as vscode from "vscode";
import { eventsFileOf } from "./cliArgs";
import { applyEvent, applyExit, initialRunState, isFinished, summary, type RunState } from "./runStatus";
import { EventFileTail } from "./tail";
import { TASK_TYPE, type RunTaskDefinition } from "./runTask";
import type { Log } from "../log";
import type { ServerApi } from "../serverApi";
import { plainText } from "../../../server/src/plainText";
import type { Range, StepsResult } from "../../../server/src/protocol";

interface Tracked {
  state: RunState;
  tail: EventFileTail | undefined;
  uri: vscode.Uri;
  steps: StepsResult["steps"];
}

export class RunManager implements vscode.Disposable {
  private readonly runs = new Map<vscode.TaskExecution, Tracked>();
  private readonly latest = new Map<string, RunState>();
  private readonly changed = new vscode.EventEmitter<RunState>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection("agent-etl-run");
  private readonly disposables: vscode.Disposable[] = [this.changed, this.diagnostics];
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log, private readonly server: () => ServerApi | undefined, private readonly actions: (state: RunState) => Promise<void>) {
    this.disposables.push(
      vscode.tasks.onDidStartTaskProcess((e) => void this.started(e.execution)),
      vscode.tasks.onDidEndTaskProcess((e) => void this.ended(e.execution, e.exitCode)),
    );
  }

  /** The last (or current) run of a pipeline file. */
  latestFor(file: string): RunState | undefined {
    return this.latest.get(file);
  }

  isRunning(file: string): boolean {
    const s = this.latest.get(file);
    return s !== undefined && !isFinished(s);
  }

  private publish(t: Tracked, state: RunState): void {
    t.state = state;
    this.latest.set(state.file, state);
    this.changed.fire(state);
  }

  private async started(execution: vscode.TaskExecution): Promise<void> {
    const def = execution.task.definition as RunTaskDefinition;
    const exec = execution.task.execution;
    if (def.type !== TASK_TYPE || !(exec instanceof vscode.ProcessExecution)) return;
    const runAt = exec.args.indexOf("run");
    const file = (runAt >= 0 ? exec.args[runAt + 1] : undefined) ?? def.file;
    const uri = vscode.Uri.file(file);
    const t: Tracked = { state: initialRunState(file), tail: undefined, uri, steps: [] };
    this.runs.set(execution, t);
    this.diagnostics.delete(uri);
    this.publish(t, t.state);
    this.log.info(`run started: ${exec.process} ${exec.args.join(" ")}`);
    const eventsFile = eventsFileOf(exec.args);
    if (eventsFile) {
      t.tail = new EventFileTail(eventsFile, (e) => this.publish(t, applyEvent(t.state, e)), (b) => this.log.warn(`events file: ${b.reason}: ${b.line.slice(0, 200)}`));
      t.tail.start();
    }
    await this.loadSteps(t, def.steps);
  }

  /** Marks the steps this run will touch as pending (from the server, never by parsing). */
  private async loadSteps(t: Tracked, only: string[] | undefined): Promise<void> {
    try {
      const api = this.server();
      const doc = await vscode.workspace.openTextDocument(t.uri);
      if (!api || !doc) return;
      t.steps = (await api.steps(doc.uri.toString())).steps;
    } catch (err: unknown) {
      this.log.warn(`could not list the steps of ${t.uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const ids = t.steps.map((s) => s.id).filter((id) => !only || only.length === 0 || only.includes(id));
    const missing = ids.filter((id) => !t.state.steps[id]);
    if (missing.length === 0 || isFinished(t.state)) return;
    const planned = initialRunState(t.state.file, missing);
    this.publish(t, { ...t.state, order: [...t.state.order, ...missing], steps: { ...planned.steps, ...t.state.steps } });
  }

  private async ended(execution: vscode.TaskExecution, exitCode: number | undefined): Promise<void> {
    const t = this.runs.get(execution);
    if (!t) return;
    this.runs.delete(execution);
    await t.tail?.stop();
    this.publish(t, applyExit(t.state, exitCode));
    this.log.info(summary(t.state));
    this.reportFailures(t);
    await this.actions(t.state);
  }

  private reportFailures(t: Tracked): void {
    const failed = t.state.order.filter((id) => t.state.steps[id]?.state === "failed");
    const diags = failed.map((id) => {
      const r = t.steps.find((s) => s.id === id)?.idRange;
      const d = new vscode.Diagnostic(r ? toRange(r) : new vscode.Range(0, 0, 0, 0), plainText(`Step ${id} failed in the last run: ${t.state.steps[id]?.error ?? "see the terminal"}`), vscode.DiagnosticSeverity.Error);
      d.source = "agent-etl run";
      d.code = "run-failed";
      return d;
    });
    this.diagnostics.set(t.uri, diags);
  }

  dispose(): void {
    for (const t of this.runs.values()) void t.tail?.stop();
    for (const d of this.disposables) d.dispose();
  }
}

function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}
