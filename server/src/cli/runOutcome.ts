/**
 * The lines that end `agent-etl run`: what this invocation did, and what the run as a whole still
 * needs. They differ when only some steps ran (`--step`, `--resume`): the selected steps can
 * succeed while the run still has a failed step.
 */
import { formatDuration } from "../runner/progress";
import type { RunReport } from "../runner/runPipeline";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function continueLine(report: RunReport, file: string, lead: string): string {
  return `  ${lead}: agent-etl run ${file} --resume --run-id ${report.runId}`;
}

function succeededLines(report: RunReport, file: string): string[] {
  const ran = report.steps.length;
  // No row total: summed over steps, a 1M-row extract → transform → load reads as 3M rows moved; the table has each step's rows.
  const took = `${plural(ran, "step")} in ${formatDuration(report.durationMs)}`;
  const staged = `  staged outputs: ${report.staging}${report.runId}/`;
  const all = Object.keys(report.run.steps).length;
  if (report.run.status === "succeeded") {
    if (ran === 0) return [`✓ run ${report.runId} had already succeeded: nothing to run`, staged];
    return [`✓ run ${report.runId} succeeded: ${took}${ran < all ? ` (the other ${plural(all - ran, "step")} had succeeded before)` : ""}`, staged];
  }
  const failed = Object.entries(report.run.steps).filter(([, s]) => s === "failed").map(([id]) => id);
  const toRun = Object.entries(report.run.steps).filter(([, s]) => s !== "succeeded" && s !== "failed").map(([id]) => id);
  const still = failed.length > 0 ? `still has failed steps: ${failed.join(", ")}` : `still has steps to run: ${toRun.join(", ")}`;
  return [
    `✓ the selected ${ran === 1 ? "step" : "steps"} succeeded (${took}); run ${report.runId} ${still}`,
    continueLine(report, file, failed.length > 0 ? "after fixing the cause, continue with" : "to run them here"),
    staged,
  ];
}

/** The closing lines; the exit code follows `report.status` (this invocation), so an Airflow task of one step fails only when its step did. */
export function finalLines(report: RunReport, file: string): string {
  if (report.status === "succeeded") return succeededLines(report, file).join("\n");
  const failed = report.steps.find((s) => s.state.status === "failed");
  return [
    `✖ run ${report.runId} failed${failed ? ` at step ${failed.id}: ${failed.state.error ?? ""}` : ""}`,
    `  run state: ${report.staging}${report.stateKey} (staged outputs of finished steps are kept beside it)`,
    continueLine(report, file, "after fixing the cause, continue with"),
  ].join("\n");
}
