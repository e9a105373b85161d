/**
 * The lines that end `agent-etl run`: what this invocation did, and what the run as a whole still
 * needs. They differ when only some steps ran (`--step`, `--resume`): the selected steps can
 * succeed while the run still has a failed step.
 */
import { downstreamClosure, type Dag } from "../dag/graph";
import { isAbsolute, relative } from "node:path";
import { formatCount, formatDuration } from "../format/numbers";
import { printable } from "../controlChars";
import type { RunReport } from "./runPipeline";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A load target for people: a file relative to the current folder when inside it, a table with its connection. */
export function targetText(target: string, cwd = process.cwd()): string {
  if (target.startsWith("file:")) {
    const path = target.slice("file:".length);
    const rel = relative(cwd, path);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
  }
  const table = /^postgres:([^:]*):(.*)$/.exec(target);
  if (table) return `table ${table[2] ?? ""} (${table[1] ?? ""})`;
  return target;
}

/**
 * What the run wrote: the rows its loads committed and where. A sum over steps would count a row
 * once per step it passed (a 1M-row extract → transform → load reads as 3M), so only loads count.
 */
function loadedLine(report: RunReport, lead: string): string[] {
  const loaded = report.loaded;
  if (loaded.length === 0) return [];
  const total = loaded.reduce((n, l) => n + l.rows, 0);
  const rows = `${formatCount(total)} row${total === 1 ? "" : "s"}`;
  if (loaded.length === 1) return [`  ${lead} ${rows} into ${printable(targetText(loaded[0]?.target ?? ""))}`];
  return [`  ${lead} ${rows}: ${loaded.map((l) => `${formatCount(l.rows)} into ${printable(targetText(l.target))}`).join(", ")}`];
}

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

/** Failures caused by the records themselves: the fix is in the source data (or in the pipeline's ops). */
const DATA_ERRORS = new Set(["cast-failed", "expression-failed", "bad-record", "aggregate-failed", "http-bad-number"]);

/**
 * What to do next after a failure, the most likely first. After a data error the user fixes the
 * source and resumes: `--resume` extracts again the files and objects that changed since they were
 * staged; sources that cannot tell (a database, an API) are reused, so for them say how to re-read.
 */
function nextLines(report: RunReport, file: string, dag: Dag, failedCode: string | undefined): string[] {
  const extracts = staleExtracts(report, dag);
  const checked = extracts.filter((id) => report.run.versioned.includes(id));
  const unknown = extracts.filter((id) => !report.run.versioned.includes(id));
  const lines = DATA_ERRORS.has(failedCode ?? "")
    ? [continueLine(report, file, "fix the data (or the pipeline), then continue with")]
    : [continueLine(report, file, "after fixing the cause, continue with")];
  if (checked.length > 0) lines.push(`    (it extracts ${checked.join(", ")} again if ${checked.length === 1 ? "its source has" : "their sources have"} changed since staged)`);
  if (unknown.length === 0) return lines;
  const from = new Set(unknown.flatMap((id) => [...downstreamClosure(dag, id)]));
  const steps = dag.order.filter((id) => from.has(id)).map((id) => `--step ${id}`).join(" ");
  return [
    ...lines,
    `  changed data in ${unknown.join(", ")}'s source? --resume reuses what ${unknown.length === 1 ? "it" : "they"} staged (${unknown.length === 1 ? "its source cannot" : "their sources cannot"} say whether it changed); read it again with a fresh run: agent-etl run ${file}`,
    `    or re-run from ${unknown.length === 1 ? "that extract" : "those extracts"}: agent-etl run ${file} --run-id ${report.runId} ${steps}`,
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
    return [`✓ run ${report.runId} succeeded: ${took}${ran < all ? ` (the other ${plural(all - ran, "step")} had succeeded before)` : ""}`, ...loadedLine(report, "loaded"), staged];
  }
  const failed = Object.entries(report.run.steps).filter(([, s]) => s === "failed").map(([id]) => id);
  const toRun = Object.entries(report.run.steps).filter(([, s]) => s !== "succeeded" && s !== "failed").map(([id]) => id);
  const still = failed.length > 0 ? `still has failed steps: ${failed.join(", ")}` : `still has steps to run: ${toRun.join(", ")}`;
  return [
    `✓ the selected ${ran === 1 ? "step" : "steps"} succeeded (${took}); run ${report.runId} ${still}`,
    ...loadedLine(report, "loaded"),
    ...(failed.length > 0 ? nextLines(report, file, dag, undefined) : [continueLine(report, file, "to run them here")]),
    staged,
  ];
}

/** The closing lines; the exit code follows `report.status` (this invocation), so an Airflow task of one step fails only when its step did. */
export function finalLines(report: RunReport, file: string, dag: Dag): string {
  if (report.status === "succeeded") return succeededLines(report, file, dag).join("\n");
  const failed = report.steps.find((s) => s.state.status === "failed");
  return [
    `✖ run ${report.runId} failed${failed ? ` at step ${failed.id}: ${printable(failed.state.error ?? "")}` : ""}`,
    ...loadedLine(report, "loaded before the failure:"),
    `  run state: ${report.staging}${report.stateKey} (staged outputs of finished steps are kept beside it)`,
    ...nextLines(report, file, dag, failed?.state.code),
  ].join("\n");
}
