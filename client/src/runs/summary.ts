/**
 * A run's summary and a step's details as Markdown, for a read-only document the Markdown preview
 * shows. Everything in a record comes from a pipeline file or its data (names, paths, error
 * messages): it is escaped, so it reads as text and never as markup, a link or HTML. Pure: no `vscode`.
 */
import type { Anomaly, Run, RunStep } from "./contract";
import { formatDuration, formatRows, sparkline } from "./format";

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Text as Markdown that shows exactly that text on one line: punctuation escaped, HTML as entities. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]()#+\-.!|~:]/g, (c) => `\\${c}`)
    .replace(/[&<>"]/g, (c) => HTML[c] ?? c);
}

/** Several lines of text, each escaped, kept as lines. */
function escapeLines(text: string): string {
  return text.split(/\r?\n/).map(escapeMarkdown).join("  \n");
}

const cell = (v: string | number | null): string => (v === null || v === "" ? "–" : typeof v === "number" ? v.toLocaleString("en-US") : escapeMarkdown(v));

function checksText(s: RunStep): string {
  const c = s.checks;
  return c.passed + c.failed + c.warned === 0 ? "–" : `${c.passed} passed, ${c.failed} failed, ${c.warned} warned`;
}

function anomalyLines(anomalies: readonly Anomaly[]): string[] {
  return anomalies.map((a) => `- ⚠ **${escapeMarkdown(a.step)}** (${escapeMarkdown(a.metric)}): ${escapeMarkdown(a.message)} — value ${cell(a.value)}, median ${cell(a.median)}, MAD ${cell(a.mad)}, score ${a.score.toFixed(1)}`);
}

function errorLines(s: RunStep): string[] {
  if (!s.error) return [];
  return ["", escapeLines(s.error.message), ...(s.error.fix ? ["", `**Fix:** ${escapeLines(s.error.fix)}`] : [])];
}

function header(run: Run): string[] {
  return [
    `- **Status:** ${escapeMarkdown(run.status)}`,
    `- **Trigger:** ${escapeMarkdown(run.trigger)}`,
    `- **Started:** ${escapeMarkdown(run.started_at)}`,
    `- **Finished:** ${run.finished_at ? escapeMarkdown(run.finished_at) : "–"}${run.duration_ms !== null ? ` (${escapeMarkdown(formatDuration(run.duration_ms))})` : ""}`,
    `- **Rows loaded:** ${run.rows_loaded.toLocaleString("en-US")}`,
    `- **File:** ${escapeMarkdown(run.file)}`,
  ];
}

/** The summary of a run: its facts, anomalies, a table of steps, and each failed step's error and fix. */
export function runMarkdown(run: Run): string {
  const lines = [`# Run ${escapeMarkdown(run.run_id || "(starting)")} of ${escapeMarkdown(run.pipeline)}`, "", ...header(run)];
  if (run.skipped_checks) lines.push("", "> **Checks were skipped** (`--skip-checks`): the data was not checked.");
  const anomalies = [...run.anomalies, ...run.steps.flatMap((s) => s.anomalies.filter((a) => !run.anomalies.includes(a)))];
  if (anomalies.length > 0) lines.push("", "## Anomalies", "", ...anomalyLines(anomalies));
  lines.push("", "## Steps", "", "| Step | Status | Rows in | Rows out | Duration | Attempts | Checks |", "| --- | --- | ---: | ---: | ---: | ---: | --- |");
  for (const s of run.steps) lines.push(`| ${cell(s.id)} | ${cell(s.status)} | ${cell(s.rows_in)} | ${cell(s.rows_out)} | ${cell(formatDuration(s.duration_ms))} | ${s.attempts} | ${checksText(s)} |`);
  const failed = run.steps.filter((s) => s.error);
  if (failed.length > 0) {
    lines.push("", "## Errors");
    for (const s of failed) lines.push("", `### ${escapeMarkdown(s.id)}`, ...errorLines(s));
  }
  return lines.join("\n") + "\n";
}

/** A step of a run: its facts, rows over the recent runs, anomalies, and its error with the fix. */
export function stepMarkdown(run: Run, step: RunStep, rowsHistory: readonly (number | null)[]): string {
  const lines = [
    `# Step ${escapeMarkdown(step.id)} — run ${escapeMarkdown(run.run_id || "(starting)")} of ${escapeMarkdown(run.pipeline)}`,
    "",
    `- **Status:** ${escapeMarkdown(step.status)}${step.attempts > 1 ? ` after ${step.attempts} attempts` : ""}`,
    `- **Rows in / out:** ${cell(step.rows_in)} / ${cell(step.rows_out)}`,
    `- **Duration:** ${cell(formatDuration(step.duration_ms))}`,
    `- **Checks:** ${checksText(step)}`,
    `- **Run started:** ${escapeMarkdown(run.started_at)} (${escapeMarkdown(run.trigger)})`,
  ];
  const known = rowsHistory.filter((v) => v !== null);
  if (known.length > 1) lines.push(`- **Rows over the last ${rowsHistory.length} runs:** \`${sparkline(rowsHistory).replace(/ /g, "·")}\` ${rowsHistory.map((v) => cell(v === null ? null : formatRows(v))).join(", ")}`);
  if (step.anomalies.length > 0) lines.push("", "## Anomalies", "", ...anomalyLines(step.anomalies));
  if (step.error) lines.push("", "## Error", ...errorLines(step));
  return lines.join("\n") + "\n";
}
