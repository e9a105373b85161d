/** Arguments `plan` and `run` share, and the runner options built from them (as `agent-etl run` builds them). */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { DATE_PATTERN } from "../../pipeline/model";
import { EventBus } from "../../runner/events";
import { prepareRun, type RunOptions } from "../../runner/runPipeline";
import { loadPipeline, requireValid, type LoadedPipeline } from "../pipelineFile";
import type { ToolContext } from "../toolKit";
import { paramPairs, paramsArg, pathArg } from "./shapes";

export const runArgs = {
  path: pathArg,
  steps: z.array(z.string().min(1)).optional().describe("Only these step ids (upstream outputs are read from the run's staging); default: every step"),
  runId: z.string().min(1).optional().describe("The run to create or continue (default: a new run; with steps or resume, the latest run)"),
  resume: z.boolean().optional().describe("Re-run only the steps of the run that did not succeed"),
  ds: z.string().regex(new RegExp(DATE_PATTERN), "use a date like 2024-01-31").optional().describe("Logical date YYYY-MM-DD for {{ ds }} (default: today, UTC)"),
  params: paramsArg,
  concurrency: z.number().int().min(1).max(256).optional().describe("Most steps running at once (default: the number of CPUs)"),
};

export type RunArgs = z.output<z.ZodObject<typeof runArgs>>;

export interface PreparedToolRun {
  loaded: LoadedPipeline;
  opts: RunOptions;
  prepared: Awaited<ReturnType<typeof prepareRun>>;
  bus: EventBus;
}

/** Loads, checks and prepares a run (secrets resolved, run id chosen); nothing is read or written yet. */
export async function prepareToolRun(args: RunArgs, ctx: ToolContext, options: { skipChecks?: boolean } = {}): Promise<PreparedToolRun> {
  const loaded = await loadPipeline(args.path, ctx);
  const pipeline = requireValid(loaded);
  let runId = "";
  const bus = new EventBus(() => runId);
  const opts: RunOptions = {
    file: loaded.path,
    pipeline,
    dag: loaded.result.dag,
    env: loaded.env,
    steps: args.steps ?? [],
    resume: args.resume ?? false,
    params: paramPairs(args.params),
    concurrency: args.concurrency ?? availableParallelism(),
    bus,
    logger: ctx.logger,
    signal: ctx.signal,
    trigger: "mcp",
    ...(args.runId !== undefined ? { runId: args.runId } : {}),
    ...(args.ds !== undefined ? { ds: args.ds } : {}),
    ...(options.skipChecks ? { skipChecks: true } : {}),
  };
  const prepared = await prepareRun(opts);
  for (const s of prepared.ctx.secrets) ctx.secrets.add(s);
  runId = prepared.ctx.runId;
  return { loaded, opts, prepared, bus };
}
