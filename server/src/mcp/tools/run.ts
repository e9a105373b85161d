/** `run`: runs a pipeline (or some steps) in this process, as `agent-etl run` does; only with `confirm: true`. */
import { z } from "zod";
import { finalLines } from "../../runner/runOutcome";
import { runPipeline, type RunReport } from "../../runner/runPipeline";
import { ToolError } from "../toolError";
import type { ToolContext, ToolDefinition } from "../toolKit";
import { prepareToolRun, runArgs } from "./runArgs";
import { runStatus, stepResult } from "./shapes";

const input = {
  ...runArgs,
  confirm: z.boolean().optional().describe("Must be true, and only after the user agreed to this run (it writes to the pipeline's targets)"),
  skipChecks: z.boolean().optional().describe("Run without the steps' `checks:`, for emergencies only: the data is loaded unchecked. Ask the user first; the result lists the steps whose checks were skipped"),
  timeoutSeconds: z.number().positive().max(7 * 24 * 3600).optional().describe("Stop the run (loads roll back) after this long; default: no limit"),
};

const output = {
  runId: z.string(),
  status: z.enum(["succeeded", "failed"]).describe("Whether the steps this call ran all succeeded"),
  runStatus: runStatus.describe("The whole run, including steps run by earlier calls"),
  durationMs: z.number(),
  staging: z.string(),
  steps: z.array(stepResult),
  failures: z.array(z.object({ step: z.string(), error: z.string(), fix: z.string() })),
  checksSkipped: z.array(z.string()).describe("Steps whose checks this run did not run (skipChecks): their data was not checked"),
  summary: z.string().describe("What the CLI prints at the end of the run, with the commands to continue"),
};

/**
 * One run at a time in this server: a run that ends closes the process's shared connectors
 * (`closeConnectors`), which would cut off the open extracts of another run in the same process.
 */
let active: { path: string; runId: string } | undefined;

function failures(report: RunReport, path: string) {
  return report.steps
    .filter((s) => s.state.status === "failed")
    .map((s) => ({
      step: s.id,
      error: s.state.error ?? "failed",
      fix: `Fix the cause named in the error (the pipeline file, the source data or the service), validate the file, then continue this run with run {path: ${JSON.stringify(path)}, runId: ${JSON.stringify(report.runId)}, resume: true, confirm: true} after asking the user.`,
    }));
}

export const runTool: ToolDefinition<typeof input, typeof output> = {
  name: "run",
  title: "Run a pipeline",
  description:
    "Run a pipeline or named steps, writing to its targets; returns the run id, each step's rows and time, and failures with their fixes. ALWAYS ask the user first and pass confirm: true only after they agreed; call plan before to show what it will write.",
  input,
  output,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handlesAbort: true,
  async run(args, ctx) {
    if (args.confirm !== true) {
      throw new ToolError("confirm-required", "run refused: a run writes to the pipeline's targets, so it needs the user's go-ahead. Show the user the plan (the plan tool), ask whether to run it, and call run again with confirm: true only if they agree.");
    }
    if (active) throw new ToolError("run-in-progress", `run ${active.runId} of ${active.path} is still running in this server; wait for its result (or cancel that call), then try again`);
    active = { path: args.path, runId: "(starting)" };
    try {
      return await runConfirmed(args, ctx);
    } finally {
      active = undefined;
    }
  },
};

async function runConfirmed(args: z.output<z.ZodObject<typeof input>>, ctx: ToolContext): Promise<z.output<z.ZodObject<typeof output>>> {
  const { loaded, opts, prepared, bus } = await prepareToolRun(args, ctx, { skipChecks: args.skipChecks === true });
  if (active) active.runId = prepared.ctx.runId;
  const total = prepared.selected.length;
  let finished = 0;
  bus.on((event) => {
    if (event.event === "step_started") ctx.progress(finished, total, `step ${event.step} started`);
    if (event.event === "step_succeeded") ctx.progress(++finished, total, `step ${event.step} succeeded: ${event.rows} rows`);
    if (event.event === "step_failed") ctx.progress(++finished, total, `step ${event.step} failed: ${event.error}`);
  });
  try {
    const report = await runPipeline(opts, prepared);
    return {
      runId: report.runId,
      status: report.status,
      runStatus: report.run.status,
      durationMs: report.durationMs,
      staging: `${report.staging}${report.runId}/`,
      steps: report.steps.map(({ id, state }) => ({
        id,
        status: state.status,
        ...(state.rows !== undefined ? { rows: state.rows } : {}),
        ...(state.duration_ms !== undefined ? { durationMs: state.duration_ms } : {}),
        ...(state.attempts !== undefined ? { attempts: state.attempts } : {}),
        ...(state.error !== undefined ? { error: state.error } : {}),
      })),
      failures: failures(report, args.path),
      checksSkipped: report.checksSkipped,
      summary: finalLines(report, loaded.path, opts.dag),
    };
  } finally {
    bus.close();
  }
}
