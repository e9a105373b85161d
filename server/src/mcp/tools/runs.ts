/**
 * `runs`: the runs recorded in the pipeline's staging store (until a run history exists): recent
 * runs with their status, one run's steps, and a failed step's error with what to do next.
 */
import { z } from "zod";
import { resolveConnections } from "../../env/resolve";
import { readJson } from "../../runner/stagedData";
import { openStaging } from "../../runner/staging";
import type { RunState } from "../../runner/state";
import { loadPipeline, requireValid } from "../pipelineFile";
import { ToolError } from "../toolError";
import type { ToolDefinition } from "../toolKit";
import { pathArg, runStatus, stepResult } from "./shapes";

const input = {
  path: pathArg,
  runId: z.string().min(1).optional().describe("Show this run's steps (default: list the recent runs)"),
  limit: z.number().int().min(1).max(200).optional().describe("Most runs listed, newest first (default 10)"),
};

const status = runStatus;
const summary = z.object({ runId: z.string(), status, ds: z.string(), startedAt: z.string(), finishedAt: z.string().optional(), failedSteps: z.array(z.string()) });
const step = stepResult.extend({ fix: z.string().optional() });

const output = {
  pipeline: z.string(),
  staging: z.string(),
  runs: z.array(summary).describe("Recent runs, newest first"),
  run: z.object({ runId: z.string(), status, ds: z.string(), startedAt: z.string(), finishedAt: z.string().optional(), steps: z.array(step) }).optional(),
};

function summaryOf(s: RunState): z.output<typeof summary> {
  const failedSteps = Object.entries(s.steps).filter(([, st]) => st.status === "failed").map(([id]) => id);
  return { runId: s.run_id, status: s.status, ds: s.ds, startedAt: s.started_at, ...(s.finished_at ? { finishedAt: s.finished_at } : {}), failedSteps };
}

function stepsOf(s: RunState, path: string): z.output<typeof step>[] {
  return Object.entries(s.steps).map(([id, st]) => ({
    id,
    status: st.status,
    ...(st.rows !== undefined ? { rows: st.rows } : {}),
    ...(st.duration_ms !== undefined ? { durationMs: st.duration_ms } : {}),
    ...(st.attempts !== undefined ? { attempts: st.attempts } : {}),
    ...(st.error !== undefined ? { error: st.error } : {}),
    ...(st.status === "failed"
      ? { fix: `Fix the cause named in the error, validate the file, then (after asking the user) call run {path: ${JSON.stringify(path)}, runId: ${JSON.stringify(s.run_id)}, resume: true, confirm: true}; from a terminal: agent-etl run ${path} --resume --run-id ${s.run_id}` }
      : {}),
  }));
}

export const runsTool: ToolDefinition<typeof input, typeof output> = {
  name: "runs",
  title: "Runs of a pipeline",
  description: "Recent runs of a pipeline (status, failed steps), or one run's steps with each failed step's error and the fix to apply. Use it to check a run's outcome or to find what to resume.",
  input,
  output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  timeoutMs: 60_000,
  async run(args, ctx) {
    const loaded = await loadPipeline(args.path, ctx);
    const pipeline = requireValid(loaded);
    const stagingNames = pipeline.staging ? [pipeline.staging.connection] : [];
    const resolved = resolveConnections(pipeline.connections, loaded.env, loaded.baseDir, stagingNames);
    for (const s of resolved.secrets) ctx.secrets.add(s);
    const store = await openStaging(pipeline, loaded.baseDir, resolved.connections, resolved.secrets);
    const keys = (await store.list("")).filter((k) => k.endsWith("/state.json"));
    const states: RunState[] = [];
    for (const key of keys) {
      const state = await readJson<RunState>(store, key).catch(() => undefined);
      if (state?.pipeline === pipeline.name) states.push(state);
    }
    states.sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0));
    const base = { pipeline: pipeline.name, staging: store.describe(), runs: states.slice(0, args.limit ?? 10).map(summaryOf) };
    if (args.runId === undefined) return base;
    const chosen = states.find((s) => s.run_id === args.runId);
    if (!chosen) throw new ToolError("no-run", `pipeline \`${pipeline.name}\` has no run ${JSON.stringify(args.runId)} in ${store.describe()}; call runs without runId to list its runs`);
    return { ...base, run: { ...summaryOf(chosen), steps: stepsOf(chosen, args.path) } };
  },
};
