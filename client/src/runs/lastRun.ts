/**
 * The DAG preview opened with no run going shows the last recorded run: each node's status, rows
 * and anomalies, and a line that says which run it was. Pure: no `vscode`.
 */
import type { Run } from "./contract";
import { formatDuration, formatRows } from "./format";
import type { NodeStatus, RunView } from "../preview/messages";

/** "Last run (cli, 2026-12-07T21:14:53Z) succeeded: 3/3 steps in 2.1 s, 1,234 rows loaded." */
export function lastRunSummary(run: Run): string {
  const done = run.steps.filter((s) => s.status === "succeeded").length;
  const took = run.duration_ms !== null ? ` in ${formatDuration(run.duration_ms)}` : "";
  const failed = run.steps.filter((s) => s.status === "failed").map((s) => s.id);
  const rows = run.status === "running" ? "" : `, ${formatRows(run.rows_loaded)} loaded`;
  return `Last run (${run.trigger}, ${run.started_at}) ${run.status}: ${done}/${run.steps.length} steps${took}${rows}${failed.length > 0 ? `; failed: ${failed.join(", ")}` : ""}.`;
}

/** The last recorded run as the preview's run view. */
export function lastRunView(run: Run): RunView {
  const steps = Object.fromEntries(run.steps.map((s): [string, NodeStatus] => [s.id, {
    state: s.status, rows: s.rows_out, attempt: s.attempts, error: s.error?.message ?? null, anomalies: s.anomalies.map((a) => a.message),
    checks: checkMarks(s.checks),
  }]));
  return { phase: run.status, summary: lastRunSummary(run), steps };
}

/** The history keeps counts, not each check: one mark per severity that happened, saying how many. */
function checkMarks(counts: { failed: number; warned: number }): NodeStatus["checks"] {
  const plural = (n: number) => (n === 1 ? "1 check" : `${n} checks`);
  return [
    ...(counts.failed > 0 ? [{ check: null, severity: "error" as const, message: `${plural(counts.failed)} failed` }] : []),
    ...(counts.warned > 0 ? [{ check: null, severity: "warn" as const, message: `${plural(counts.warned)} warned` }] : []),
  ];
}
