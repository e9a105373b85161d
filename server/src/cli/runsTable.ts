/** The run history for a terminal: a compact table of runs, and one run's steps. */
import { formatCount, formatDuration } from "../format/numbers";
import { printable } from "../controlChars";
import type { RunRecord } from "../runner/history/recordSchema";

const ICONS: Record<RunRecord["status"], string> = { succeeded: "✓", failed: "✖", running: "…", cancelled: "■" };

/** `2026-12-07 21:30:01` in UTC: sortable, one width. */
const when = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");

function table(header: string[], rows: string[][], right: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [fmt(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}

export function runsTable(runs: readonly RunRecord[], where: string): string {
  if (runs.length === 0) return `no runs recorded in ${where}`;
  const rows = runs.map((r) => [
    `${ICONS[r.status]} ${r.status}${r.anomalies.length > 0 ? " ⚠" : ""}`,
    printable(r.run_id),
    when(r.started_at),
    r.duration_ms === null ? "" : formatDuration(r.duration_ms),
    formatCount(r.rows_loaded),
    printable(r.steps.find((s) => s.status === "failed")?.id ?? ""),
  ]);
  return table(["status", "run id", "started (UTC)", "duration", "rows", "failed step"], rows, new Set([3, 4]));
}

export function runText(run: RunRecord): string {
  const head = [
    `${ICONS[run.status]} run ${printable(run.run_id)} of ${printable(run.pipeline)} ${run.status} (${run.trigger})`,
    `  started ${when(run.started_at)} UTC${run.finished_at ? `, finished ${when(run.finished_at)} UTC` : ""}${run.duration_ms === null ? "" : ` — ${formatDuration(run.duration_ms)}`}; ${formatCount(run.rows_loaded)} rows loaded`,
    ...(run.skipped_checks ? ["  ⚠ checks were skipped (--skip-checks)"] : []),
  ];
  const rows = run.steps.map((s) => [
    s.id,
    s.status,
    s.rows_in === null ? "" : formatCount(s.rows_in),
    s.rows_out === null ? "" : formatCount(s.rows_out),
    s.duration_ms === null ? "" : formatDuration(s.duration_ms),
    s.attempts === 0 ? "" : String(s.attempts),
    s.checks.passed + s.checks.failed + s.checks.warned === 0 ? "" : `${s.checks.passed} ok${s.checks.failed ? `, ${s.checks.failed} failed` : ""}${s.checks.warned ? `, ${s.checks.warned} warned` : ""}`,
  ]);
  const notes = run.steps.flatMap((s) => (s.error ? [`✖ ${s.id}: ${printable(s.error.message)}`, ...(s.error.fix ? [`  fix: ${printable(s.error.fix)}`] : [])] : []));
  const anomalies = run.anomalies.map((a) => `⚠ anomaly: ${printable(a.message)}`);
  return [...head, "", table(["step", "status", "rows in", "rows out", "time", "attempts", "checks"], rows, new Set([2, 3, 4])), ...(notes.length + anomalies.length > 0 ? ["", ...anomalies, ...notes] : [])].join("\n");
}
