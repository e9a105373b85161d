/**
 * How the Runs view says a run and a step in one line: status icon, start, duration, rows, a
 * sparkline of a step's rows over the recent runs, anomaly marks. Pure: no `vscode`.
 */
import type { Run, RunStatus, RunStep, StepStatus } from "./contract";

/** A codicon and the theme colour it is drawn in (none: the foreground). */
export interface StatusIcon {
  id: string;
  color: string | null;
}

const ICONS: Record<RunStatus | StepStatus, StatusIcon> = {
  succeeded: { id: "pass", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  running: { id: "sync~spin", color: null },
  cancelled: { id: "circle-slash", color: "testing.iconSkipped" },
  skipped: { id: "debug-step-over", color: "testing.iconSkipped" },
  pending: { id: "circle-large-outline", color: null },
};

export function statusIcon(status: RunStatus | StepStatus): StatusIcon {
  return ICONS[status];
}

/** "64 ms", "2.1 s", "3 m 05 s", "1 h 02 m". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} m`;
}

export function formatRows(rows: number | null): string {
  if (rows === null) return "";
  return `${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"}`;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** A start time in local time: "21:14:53" today, "Dec 5 21:14" this year, "2025-12-05 21:14" before. */
export function formatStarted(iso: string, now = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const hm = `${two(t.getHours())}:${two(t.getMinutes())}`;
  if (t.toDateString() === now.toDateString()) return `${hm}:${two(t.getSeconds())}`;
  if (t.getFullYear() === now.getFullYear()) return `${t.toLocaleString("en-US", { month: "short" })} ${t.getDate()} ${hm}`;
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${hm}`;
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A text sparkline, oldest first: each value scaled between the smallest and largest; a gap
 * (the step did not produce rows that run) is a space; all equal values draw a flat middle line.
 */
export function sparkline(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return "";
  const min = Math.min(...known);
  const span = Math.max(...known) - min;
  return values.map((v) => {
    if (v === null) return " ";
    const level = span === 0 ? 3 : Math.round(((v - min) / span) * (BARS.length - 1));
    return BARS[level] ?? "";
  }).join("");
}

/** How many runs a step's sparkline covers. */
export const SPARK_RUNS = 12;

/**
 * The rows a step produced in the run `at` of `runs` (newest first) and the runs before it, oldest
 * first: the values of its sparkline.
 */
export function stepRowsHistory(runs: readonly Run[], at: number, stepId: string, count = SPARK_RUNS): (number | null)[] {
  return runs.slice(at, at + count).reverse().map((r) => r.steps.find((s) => s.id === stepId)?.rows_out ?? null);
}

const anomalyCount = (n: number): string => (n === 1 ? "1 anomaly" : `${n} anomalies`);

/** "succeeded · 2.1 s · 1,234 rows · ⚠ 1 anomaly" (the label is the start time). */
export function runDescription(run: Run): string {
  const anomalies = run.anomalies.length + run.steps.reduce((n, s) => n + s.anomalies.length, 0);
  const rows = run.status === "running" ? "" : formatRows(run.rows_loaded);
  return [run.status, formatDuration(run.duration_ms), rows, anomalies > 0 ? `⚠ ${anomalyCount(anomalies)}` : ""].filter(Boolean).join(" · ");
}

/** A run's tooltip, plain text. */
export function runTooltip(run: Run): string {
  const lines = [
    `${run.pipeline}: run ${run.run_id || "(starting)"} ${run.status}`,
    `started ${run.started_at}${run.finished_at ? `, finished ${run.finished_at}` : ""}${run.duration_ms !== null ? ` (${formatDuration(run.duration_ms)})` : ""}`,
    `trigger: ${run.trigger}; rows loaded: ${run.rows_loaded.toLocaleString("en-US")}`,
  ];
  if (run.skipped_checks) lines.push("checks were skipped (--skip-checks): the data was not checked");
  for (const a of [...run.anomalies, ...run.steps.flatMap((s) => s.anomalies)]) lines.push(`⚠ ${a.message}`);
  return lines.join("\n");
}

/** "1,234 rows · 64 ms · ▁▂▃▅▇ · ⚠" for a step, with the sparkline of its rows. */
export function stepDescription(step: RunStep, rowsHistory: readonly (number | null)[]): string {
  const spark = rowsHistory.filter((v) => v !== null).length > 1 ? sparkline(rowsHistory) : "";
  return [formatRows(step.rows_out), formatDuration(step.duration_ms), spark, step.anomalies.length > 0 ? "⚠" : ""].filter(Boolean).join(" · ");
}

/** A step's tooltip, plain text. */
export function stepTooltip(step: RunStep, rowsHistory: readonly (number | null)[]): string {
  const c = step.checks;
  const lines = [`${step.id}: ${step.status}${step.attempts > 1 ? ` after ${step.attempts} attempts` : ""}`];
  if (step.rows_in !== null || step.rows_out !== null) lines.push(`rows in: ${step.rows_in ?? "–"}, rows out: ${step.rows_out ?? "–"}`);
  if (c.passed + c.failed + c.warned > 0) lines.push(`checks: ${c.passed} passed, ${c.failed} failed, ${c.warned} warned`);
  const known = rowsHistory.filter((v): v is number => v !== null);
  if (known.length > 1) lines.push(`rows over the last ${rowsHistory.length} runs: ${rowsHistory.map((v) => (v === null ? "–" : v.toLocaleString("en-US"))).join(", ")}`);
  for (const a of step.anomalies) lines.push(`⚠ ${a.message}`);
  if (step.error) lines.push(`error: ${step.error.message}`, ...(step.error.fix ? [`fix: ${step.error.fix}`] : []));
  return lines.join("\n");
}
