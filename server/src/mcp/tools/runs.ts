/**
 * `runs`: the pipeline's run history (runner/history): recent runs with their status, trigger,
 * rows and anomalies, or one run's steps with a failed step's error and what to do next.
 */
import { z } from "zod";
import { resolveConnections } from "../../env/resolve";
import { historyConnectionNames, openHistory } from "../../runner/history";
import { RECORD_STATUSES, TRIGGERS, type RunRecord, type StepRecord } from "../../runner/history/recordSchema";
import { loadPipeline, requireValid } from "../pipelineFile";
import { ToolError } from "../toolError";
import type { ToolDefinition } from "../toolKit";
import { pathArg, stepResult } from "./shapes";

const status = z.enum(RECORD_STATUSES);

const input = {
  path: pathArg,
  runId: z.string().min(1).optional().describe("Show this run's steps (default: list the recent runs)"),
  limit: z.number().int().min(1).max(200).optional().describe("Most runs listed, newest first (default 10)"),
  status: status.optional().describe("List only runs with this status"),
};

const anomaly = z.object({ step: z.string(), metric: z.enum(["rows", "duration"]), value: z.number(), median: z.number(), message: z.string() });
const summary = z.object({
  runId: z.string(),
  status,
  trigger: z.enum(TRIGGERS),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  rowsLoaded: z.number().int(),
  failedSteps: z.array(z.string()),
  anomalies: z.array(anomaly),
});
const step = stepResult.extend({
  status: z.enum(["pending", "running", "succeeded", "failed", "skipped"]),
  rowsIn: z.number().int().optional(),
  checks: z.object({ passed: z.number().int(), failed: z.number().int(), warned: z.number().int() }),
  fix: z.string().optional(),
});

const output = {
  pipeline: z.string(),
  history: z.string().describe("Where the runs are recorded"),
  runs: z.array(summary).describe("Recent runs, newest first"),
  run: summary.extend({ steps: z.array(step) }).optional(),
};

function summaryOf(r: RunRecord): z.output<typeof summary> {
  return {
    runId: r.run_id,
    status: r.status,
    trigger: r.trigger,
    startedAt: r.started_at,
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
    ...(r.duration_ms !== null ? { durationMs: r.duration_ms } : {}),
    rowsLoaded: r.rows_loaded,
    failedSteps: r.steps.filter((s) => s.status === "failed").map((s) => s.id),
    anomalies: r.anomalies.map(({ step: id, metric, value, median, message }) => ({ step: id, metric, value, median, message })),
  };
}

function stepOf(s: StepRecord, path: string, runId: string): z.output<typeof step> {
  const resume = `after asking the user, call run {path: ${JSON.stringify(path)}, runId: ${JSON.stringify(runId)}, resume: true, confirm: true}`;
  return {
    id: s.id,
    status: s.status,
    ...(s.rows_in !== null ? { rowsIn: s.rows_in } : {}),
    ...(s.rows_out !== null ? { rows: s.rows_out } : {}),
    ...(s.duration_ms !== null ? { durationMs: s.duration_ms } : {}),
    ...(s.attempts > 0 ? { attempts: s.attempts } : {}),
    checks: s.checks,
    ...(s.error ? { error: s.error.message } : {}),
    ...(s.status === "failed" ? { fix: `${s.error?.fix ?? "Fix the cause named in the error"}. Validate the file, then ${resume}; from a terminal: agent-etl run ${path} --resume --run-id ${runId}` } : {}),
  };
}

export const runsTool: ToolDefinition<typeof input, typeof output> = {
  name: "runs",
  title: "Runs of a pipeline",
  description: "Recent runs of a pipeline from its run history (status, trigger, rows loaded, failed steps, anomalies), or one run's steps with rows in/out, checks, each failed step's error and the fix to apply. Use it to check a run's outcome or to find what to resume.",
  input,
  output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  timeoutMs: 60_000,
  async run(args, ctx) {
    const loaded = await loadPipeline(args.path, ctx);
    const pipeline = requireValid(loaded);
    const resolved = resolveConnections(pipeline.connections, loaded.env, loaded.baseDir, historyConnectionNames(pipeline));
    for (const s of resolved.secrets) ctx.secrets.add(s);
    const history = await openHistory(pipeline, loaded.baseDir, resolved.connections, resolved.secrets);
    try {
      const runs = await history.list({ limit: args.limit ?? 10, ...(args.status ? { status: args.status } : {}) });
      const base = { pipeline: pipeline.name, history: history.describe(), runs: runs.map(summaryOf) };
      if (args.runId === undefined) return base;
      const chosen = await history.get(args.runId);
      if (!chosen) throw new ToolError("no-run", `pipeline \`${pipeline.name}\` has no run ${JSON.stringify(args.runId)} in ${history.describe()}; call runs without runId to list its runs`);
      return { ...base, run: { ...summaryOf(chosen), steps: chosen.steps.map((s) => stepOf(s, args.path, chosen.run_id)) } };
    } finally {
      await history.close();
    }
  },
};
