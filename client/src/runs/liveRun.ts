/**
 * The run the editor is following (client/src/run/runManager.ts) as a history record, merged into
 * the recorded runs: while it is going the view shows it from its events, live; once it is
 * recorded, the record (with checks and anomalies) wins. Pure: no `vscode`.
 */
import type { Run, RunStep } from "./contract";
import { isFinished, type RunState, type StepStatus } from "../run/runStatus";

function stepOf(id: string, s: StepStatus): RunStep {
  const failed = s.failedChecks.filter((c) => c.severity === "error").length;
  const warned = s.failedChecks.length - failed;
  return {
    id,
    status: s.state === "retrying" ? "running" : s.state,
    rows_in: null,
    rows_out: s.rows,
    duration_ms: s.durationMs,
    attempts: s.attempt ?? 0,
    checks: { passed: 0, failed, warned },
    anomalies: [],
    error: s.error === null ? null : { message: s.error, fix: null },
  };
}

/** A run the editor follows, in the history's shape (`run_id` is empty until the runner names it). */
export function liveRun(state: RunState): Run {
  return {
    run_id: state.runId ?? "",
    pipeline: state.pipeline ?? state.file.replace(/^.*[\\/]/, "").replace(/\.etl\.ya?ml$/i, ""),
    file: state.file,
    trigger: "editor",
    status: state.phase === "starting" ? "running" : state.phase,
    started_at: new Date(state.startedAt).toISOString(),
    finished_at: state.finishedAt === null ? null : new Date(state.finishedAt).toISOString(),
    duration_ms: state.durationMs,
    rows_loaded: (state.loaded ?? []).reduce((n, l) => n + l.rows, 0),
    skipped_checks: false,
    anomalies: [],
    steps: state.order.flatMap((id) => {
      const s = state.steps[id];
      return s ? [stepOf(id, s)] : [];
    }),
  };
}

/**
 * The recorded runs (newest first) with the editor's run of the same file: it replaces its record
 * while it is going, is left to the record once finished, and is added when not recorded (yet).
 */
export function withLiveRun(recorded: readonly Run[], live: RunState | undefined): Run[] {
  if (!live) return [...recorded];
  const at = live.runId ? recorded.findIndex((r) => r.run_id === live.runId) : -1;
  if (at >= 0) return isFinished(live) ? [...recorded] : recorded.map((r, i) => (i === at ? liveRun(live) : r));
  return [liveRun(live), ...recorded].sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
}
