/**
 * The lines that end `agent-etl run`: what this invocation did, and what the run as a whole still
 * needs. They differ when only some steps ran (`--step`, `--resume`): the selected steps can
 * succeed while the run still has a failed step.
 */
import { downstreamClosure, type Dag } from "../dag/graph";
import { formatDuration, printable } from "../runner/progress";
import type { RunReport } from "../runner/runPipeline";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function continueLine(report: RunReport, file: string, lead: string): string {
  return `  ${lead}: agent-etl run ${file} --resume --run-id ${report.runId}`;
}

/** Succeeded extracts upstream of the run's failed steps: `--resume` reads their staged copies again. */
function staleExtracts(report: RunReport, dag: Dag): string[] {
  const kinds = new Map(dag.nodes.map((n) => [n.id, n.kind]));
  const seen = new Set<string>();
  const stack = Object.entries(report.run.steps).filter(([, s]) => s === "failed").map(([id]) => id);
  while (stack.length > 0) {
    for (const up of dag.upstream.get(stack.pop() as string) ?? []) if (!seen.has(up)) {
      seen.add(up);
      stack.push(up);
    }
  }
  return dag.order.filter((id) => seen.has(id) && kinds.get(id) === "extract" && report.run.steps[id] === "succeeded");
}

/**
 * After a failure, fixing a source (a bad value in a CSV) is not enough for `--resume`, which
 * reads what the extracts staged before: say how to re-run from them.
 */
function sourceChangedLine(report: RunReport, file: string, dag: Dag): string[] {
  const extracts = staleExtracts(report, dag);
  if (extracts.length === 0) return [];
  const from = new Set(extracts.flatMap((id) => [...downstreamClosure(dag, id)]));
  const steps = dag.order.filter((id) => from.has(id)).map((id) => `--step ${id}`).join(" ");
  return [
    `  changed source data? --resume still reads what ${extracts.join(", ")} staged before; re-run from ${extracts.length === 1 ? "that extract" : "those extracts"} instead:`,
    `    agent-etl run ${file} --run-id ${report.runId} ${steps}   (or start a fresh run: agent-etl run ${file})`,
  ];
}

function succeededLines(report: RunReport, file: string, dag: Dag): string[] {
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
    ...sourceChangedLine(report, file, dag),
    staged,
  ];
}

/** The closing lines; the exit code follows `report.status` (this invocation), so an Airflow task of one step fails only when its step did. */
export function finalLines(report: RunReport, file: string, dag: Dag): string {
  if (report.status === "succeeded") return succeededLines(report, file, dag).join("\n");
  const failed = report.steps.find((s) => s.state.status === "failed");
  return [
    `✖ run ${report.runId} failed${failed ? ` at step ${failed.id}: ${printable(failed.state.error ?? "")}` : ""}`,
    `  run state: ${report.staging}${report.stateKey} (staged outputs of finished steps are kept beside it)`,
    continueLine(report, file, "after fixing the cause, continue with"),
    ...sourceChangedLine(report, file, dag),
  ].join("\n");
}
