/**
 * A run's history record, built from its state (what every step did, whichever process ran it) and
 * what this process heard on the bus (checks, anomalies). Pure but for the clock.
 */
import { stepKind, type Step } from "../../pipeline/model";
import { inputOf } from "../context";
import type { Heard } from "../events";
import type { RunState, StepState } from "../state";
import type { Anomaly, RecordStatus, RunRecord, StepRecord, Trigger } from "./recordSchema";

/** What a run's events add to its state: check counts and anomalies per step. */
export class RunObservations {
  readonly checks = new Map<string, StepRecord["checks"]>();
  readonly anomalies: Anomaly[] = [];

  readonly listener = (e: Heard): void => {
    if (e.event === "check_passed" || e.event === "check_failed") {
      const counts = this.checks.get(e.step) ?? { passed: 0, failed: 0, warned: 0 };
      if (e.event === "check_passed") counts.passed++;
      else if (e.severity === "warn") counts.warned++;
      else counts.failed++;
      this.checks.set(e.step, counts);
    } else if (e.event === "step_anomaly") {
      const { event: _e, time: _t, run_id: _r, ...anomaly } = e;
      this.anomalies.push(anomaly);
    }
  };
}

export interface RecordInput {
  state: RunState;
  steps: readonly Step[];
  trigger: Trigger;
  /** The file as the user would type it in `agent-etl run FILE` (for the fix line). */
  file: string;
  observations: RunObservations;
  skippedChecks: boolean;
}

const INTERRUPTED = "interrupted";

function fixOf(state: StepState, file: string, runId: string): string | null {
  if (state.status !== "failed") return null;
  if (state.code === "anomaly") return `check the step's source; if the change is expected, set \`anomaly: off\` on the step or raise its \`sensitivity\`, then continue: agent-etl run ${file} --resume --run-id ${runId}`;
  return `fix the cause named in the error, then continue: agent-etl run ${file} --resume --run-id ${runId}`;
}

function stepRecord(step: Step, input: RecordInput): StepRecord {
  const { state, observations } = input;
  const s = state.steps[step.id] ?? { status: "pending" as const };
  const upstream = inputOf(step);
  const upstreamRows = upstream === undefined || step.sql ? undefined : state.steps[upstream]?.rows;
  return {
    id: step.id,
    kind: stepKind(step),
    status: s.status,
    rows_in: upstreamRows ?? null,
    rows_out: s.status === "succeeded" ? (s.rows ?? null) : null,
    duration_ms: s.duration_ms ?? null,
    attempts: s.attempts ?? 0,
    checks: observations.checks.get(step.id) ?? { passed: 0, failed: 0, warned: 0 },
    anomalies: observations.anomalies.filter((a) => a.step === step.id),
    error: s.error === undefined ? null : { message: s.error, fix: fixOf(s, input.file, state.run_id) },
  };
}

/** The run's status for the history: a run stopped by Ctrl-C or SIGTERM is `cancelled`, not `failed`. */
export function recordStatus(state: RunState, anomalyFailed: boolean): RecordStatus {
  if (anomalyFailed) return "failed";
  const interrupted = Object.values(state.steps).some((s) => s.status === "failed" && s.code === INTERRUPTED);
  return state.status === "failed" && interrupted ? "cancelled" : state.status;
}

export function buildRecord(input: RecordInput, status: RecordStatus = input.state.status): RunRecord {
  const { state } = input;
  const finished = status === "running" ? null : (state.finished_at ?? new Date().toISOString());
  const record: RunRecord = {
    run_id: state.run_id,
    pipeline: state.pipeline,
    file: input.file,
    trigger: input.trigger,
    status,
    started_at: state.started_at,
    finished_at: finished,
    duration_ms: finished === null ? null : Math.max(0, Date.parse(finished) - Date.parse(state.started_at)),
    rows_loaded: 0,
    skipped_checks: input.skippedChecks,
    anomalies: [...input.observations.anomalies],
    steps: input.steps.map((step) => stepRecord(step, input)),
  };
  return { ...record, rows_loaded: rowsLoaded(record.steps) };
}

/** What the run's loads wrote: the run's result (a sum over all steps would count a row once per step it passed). */
function rowsLoaded(steps: readonly StepRecord[]): number {
  return steps.reduce((n, s) => n + (s.kind === "load" && s.status === "succeeded" ? (s.rows_out ?? 0) : 0), 0);
}

/**
 * The stored record with a newer one written over it: steps of one run may finish in several
 * processes (Airflow tasks with `--step`), each knowing only its own steps for sure. `touched`: the
 * steps the newer record's process ran; the others keep what is stored.
 */
export function mergeRecords(stored: RunRecord | undefined, next: RunRecord, touched: ReadonlySet<string>): RunRecord {
  if (!stored) return next;
  const old = new Map(stored.steps.map((s) => [s.id, s]));
  const steps = next.steps.map((s) => (touched.has(s.id) ? s : (old.get(s.id) ?? s)));
  const anomalies = [...stored.anomalies.filter((a) => !touched.has(a.step)), ...next.anomalies.filter((a) => touched.has(a.step))];
  const status = mergedStatus(steps, next.status);
  const started = stored.started_at < next.started_at ? stored.started_at : next.started_at;
  // A run another process finished may have no end time yet in either record: it ends now.
  const finished = status === "running" ? null : ([stored.finished_at, next.finished_at].filter((t): t is string => t !== null).sort().at(-1) ?? new Date().toISOString());
  return {
    ...next,
    status,
    started_at: started,
    finished_at: finished,
    duration_ms: finished === null ? null : Math.max(0, Date.parse(finished) - Date.parse(started)),
    rows_loaded: rowsLoaded(steps),
    skipped_checks: stored.skipped_checks || next.skipped_checks,
    anomalies,
    steps,
  };
}

function mergedStatus(steps: readonly StepRecord[], given: RecordStatus): RecordStatus {
  if (given === "cancelled") return given;
  if (steps.some((s) => s.status === "failed")) return "failed";
  if (given === "failed") return given;
  return steps.every((s) => s.status === "succeeded") ? "succeeded" : "running";
}
