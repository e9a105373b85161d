/**
 * The state of one run, folded from its events: what the status bar, the DAG preview and the final
 * notification show. Pure and immutable (each event returns a new state).
 */
import type { Loaded, RunEvent } from "./events";

export type StepState = "pending" | "running" | "retrying" | "succeeded" | "failed" | "skipped";
export type RunPhase = "starting" | "running" | "succeeded" | "failed" | "cancelled";

/** A data check of the step that failed (`severity: warn` ones too: the step went on). */
export interface FailedCheck {
  check: string | null;
  severity: "error" | "warn";
  failed: number | null;
  message: string | null;
}

export interface StepStatus {
  state: StepState;
  rows: number | null;
  attempt: number | null;
  error: string | null;
  durationMs: number | null;
  /** The step's failed checks, in the order they were judged. */
  failedChecks: readonly FailedCheck[];
}

export interface RunState {
  /** The pipeline file (fs path) the run is for. */
  file: string;
  runId: string | null;
  pipeline: string | null;
  phase: RunPhase;
  steps: Record<string, StepStatus>;
  /** Step ids in the order they were first heard of (or planned). */
  order: string[];
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  exitCode: number | null;
  /** What the loads wrote, from `run_finished`; null until then (or from a CLI that does not say). */
  loaded: Loaded[] | null;
}

const PENDING: StepStatus = { state: "pending", rows: null, attempt: null, error: null, durationMs: null, failedChecks: [] };

export function initialRunState(file: string, plannedSteps: readonly string[] = [], now = Date.now()): RunState {
  return {
    file, runId: null, pipeline: null, phase: "starting", startedAt: now, finishedAt: null, durationMs: null, exitCode: null, loaded: null,
    order: [...plannedSteps], steps: Object.fromEntries(plannedSteps.map((id) => [id, PENDING])),
  };
}

function withStep(state: RunState, id: string, change: Partial<StepStatus>): RunState {
  const known = state.steps[id];
  return {
    ...state,
    phase: state.phase === "starting" ? "running" : state.phase,
    order: known ? state.order : [...state.order, id],
    steps: { ...state.steps, [id]: { ...(known ?? PENDING), ...change } },
  };
}

export function applyEvent(state: RunState, e: RunEvent): RunState {
  switch (e.type) {
    case "run_started": {
      const planned = (e.steps ?? []).filter((id) => !state.steps[id]);
      return {
        ...state, runId: e.runId ?? state.runId, pipeline: e.pipeline ?? state.pipeline, phase: "running",
        order: [...state.order, ...planned], steps: { ...state.steps, ...Object.fromEntries(planned.map((id) => [id, PENDING])) },
      };
    }
    case "step_started":
      return withStep(state, e.stepId, { state: "running", attempt: e.attempt ?? state.steps[e.stepId]?.attempt ?? null, error: null, failedChecks: [] });
    case "check_passed":
    case "step_anomaly":
      return state;
    case "check_failed": {
      const failed: FailedCheck = { check: e.check, severity: e.severity, failed: e.failed, message: e.message };
      return withStep(state, e.stepId, { failedChecks: [...(state.steps[e.stepId]?.failedChecks ?? []), failed] });
    }
    case "step_progress":
      return withStep(state, e.stepId, { state: state.steps[e.stepId]?.state === "retrying" ? "retrying" : "running", rows: e.rows ?? state.steps[e.stepId]?.rows ?? null });
    case "step_retry":
      return withStep(state, e.stepId, { state: "retrying", attempt: e.attempt, error: e.error });
    case "step_succeeded":
      return withStep(state, e.stepId, { state: "succeeded", rows: e.rows ?? state.steps[e.stepId]?.rows ?? null, durationMs: e.durationMs, error: null });
    case "step_failed":
      return withStep(state, e.stepId, { state: "failed", error: e.error, rows: e.rows ?? state.steps[e.stepId]?.rows ?? null });
    case "run_finished": {
      // The runner's own final word on each step wins over what the stream implied.
      let next: RunState = { ...state, runId: e.runId ?? state.runId, loaded: e.loaded };
      for (const [id, s] of Object.entries(e.steps ?? {})) next = withStep(next, id, { state: s === "pending" ? "skipped" : s });
      return finish(next, e.status, e.time ?? Date.now(), e.durationMs);
    }
  }
}

function finish(state: RunState, phase: "succeeded" | "failed" | "cancelled", at: number, durationMs: number | null): RunState {
  // Steps that never started did not run: a failed upstream or a cancelled run skipped them.
  const steps = Object.fromEntries(Object.entries(state.steps).map(([id, s]) => [id, s.state === "pending" || s.state === "running" || s.state === "retrying"
    ? { ...s, state: (s.state === "pending" ? "skipped" : phase === "succeeded" ? "succeeded" : "failed") as StepState } : s]));
  return { ...state, phase, steps, finishedAt: at, durationMs: durationMs ?? at - state.startedAt };
}

/**
 * The process ended. Its exit code is the truth when the stream stopped short (a crash, a kill,
 * a bad-usage exit before any event): 0 means succeeded, anything else failed.
 */
export function applyExit(state: RunState, exitCode: number | undefined, now = Date.now()): RunState {
  const code = exitCode ?? null;
  if (state.phase === "succeeded" || state.phase === "failed" || state.phase === "cancelled") {
    const phase = state.phase === "succeeded" && code !== null && code !== 0 ? "failed" : state.phase;
    return { ...state, phase, exitCode: code };
  }
  return { ...finish(state, code === 0 ? "succeeded" : code === null ? "cancelled" : "failed", now, null), exitCode: code };
}

export function isFinished(state: RunState): boolean {
  return state.phase === "succeeded" || state.phase === "failed" || state.phase === "cancelled";
}

export interface RunCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  skipped: number;
  /** Rows the loads wrote (not a sum over steps, which counts a row once per step); null while unknown. */
  loaded: number | null;
}

export function counts(state: RunState): RunCounts {
  const c: RunCounts = { total: state.order.length, succeeded: 0, failed: 0, running: 0, skipped: 0, loaded: state.loaded ? state.loaded.reduce((n, l) => n + l.rows, 0) : null };
  for (const id of state.order) {
    const s = state.steps[id];
    if (!s) continue;
    if (s.state === "succeeded") c.succeeded++;
    else if (s.state === "failed") c.failed++;
    else if (s.state === "running" || s.state === "retrying") c.running++;
    else if (s.state === "skipped") c.skipped++;
  }
  return c;
}

/** " 2 checks warned: step `paid`, check 3 …" — `warn` checks that failed while the run went on. */
function warnings(state: RunState): string {
  const warned = state.order.flatMap((id) => state.steps[id]?.failedChecks ?? []).filter((f) => f.severity === "warn");
  if (warned.length === 0) return "";
  return ` ${warned.length} check${warned.length === 1 ? "" : "s"} warned${warned[0]?.message ? `: ${warned[0].message}` : ""}`;
}

function seconds(ms: number | null): string {
  return ms === null ? "" : ` in ${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

const count = (n: number) => n.toLocaleString("en-US");

/** A load target for people; `showPath` shortens a file's path (e.g. relative to the workspace). */
function targetText(target: string, showPath: (path: string) => string = (p) => p): string {
  if (target.startsWith("file:")) return showPath(target.slice("file:".length));
  const table = /^postgres:([^:]*):(.*)$/.exec(target);
  return table ? `table ${table[2] ?? ""} (${table[1] ?? ""})` : target;
}

/** "loaded 3 rows into out/x.csv" / "loaded 5 rows: 3 into out/x.csv, 2 into table t (db)"; empty when nothing was loaded. */
function loadedText(state: RunState, showPath?: (path: string) => string): string {
  const loaded = state.loaded ?? [];
  if (loaded.length === 0) return "";
  const total = loaded.reduce((n, l) => n + l.rows, 0);
  const rows = `${count(total)} row${total === 1 ? "" : "s"}`;
  if (loaded.length === 1) return `${rows} into ${targetText(loaded[0]?.target ?? "", showPath)}`;
  return `${rows}: ${loaded.map((l) => `${count(l.rows)} into ${targetText(l.target, showPath)}`).join(", ")}`;
}

/**
 * One line for a notification: "Pipeline quickstart succeeded: 4/4 steps in 2.1 s; loaded 12 rows
 * into out/orders.jsonl." The rows are the loads' (a sum over steps would count each row per step).
 */
export function summary(state: RunState, showPath?: (path: string) => string): string {
  const c = counts(state);
  const name = state.pipeline ?? state.file.replace(/^.*[\\/]/, "");
  const loaded = loadedText(state, showPath);
  switch (state.phase) {
    case "succeeded":
      return `Pipeline ${name} succeeded: ${c.succeeded}/${c.total} steps${seconds(state.durationMs)}${loaded ? `; loaded ${loaded}` : ""}.${warnings(state)}`;
    case "failed": {
      const failed = state.order.filter((id) => state.steps[id]?.state === "failed");
      const first = failed[0] ? state.steps[failed[0]] : undefined;
      const what = failed.length > 0 ? `step ${failed.join(", ")} failed${first?.error ? `: ${first.error}` : ""}` : `the run exited with code ${state.exitCode ?? "?"}`;
      return `Pipeline ${name} failed — ${what}. ${c.succeeded}/${c.total} steps succeeded${c.skipped ? `, ${c.skipped} skipped` : ""}.${loaded ? ` Loaded before the failure: ${loaded}.` : ""}`;
    }
    case "cancelled":
      return `Pipeline ${name} was cancelled after ${c.succeeded}/${c.total} steps.`;
    default:
      return `Pipeline ${name} is running: ${c.succeeded}/${c.total} steps done${c.running ? `, ${c.running} running` : ""}.`;
  }
}
