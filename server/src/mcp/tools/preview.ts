/** `preview`: the first rows of one step's output, as `agent-etl preview` computes them (reads only; nothing staged or loaded). */
import { z } from "zod";
import { COLUMN_TYPES, DATE_PATTERN } from "../../pipeline/model";
import { MCP_DEFAULT_LIMIT, PREVIEW_MAX_LIMIT, previewError, previewStep, previewSteps } from "../../runner/preview";
import { loadPipeline, requireValid, type LoadedPipeline } from "../pipelineFile";
import { ToolError } from "../toolError";
import type { ToolContext, ToolDefinition } from "../toolKit";
import { outsideRoots } from "./analyze";
import { paramPairs, paramsArg, pathArg } from "./shapes";

const input = {
  path: pathArg,
  step: z.string().min(1).describe("The step whose output to show (an extract, transform or load; a load shows the records it would load)"),
  limit: z.number().int().min(1).max(PREVIEW_MAX_LIMIT).optional().describe(`Rows to return (default ${MCP_DEFAULT_LIMIT}, at most ${PREVIEW_MAX_LIMIT})`),
  ds: z.string().regex(new RegExp(DATE_PATTERN), "use a date like 2024-01-31").optional().describe("Logical date YYYY-MM-DD for {{ ds }} (default: today, UTC)"),
  params: paramsArg,
  timeoutSeconds: z.number().positive().max(600).optional().describe("Give up after this long (default 60)"),
};

const output = {
  pipeline: z.string(),
  step: z.string(),
  limit: z.number().int(),
  columns: z.array(z.object({ name: z.string(), type: z.enum(COLUMN_TYPES).nullable().describe("The column's type when known (from the source or a cast), else null") })).describe("In first-seen order"),
  rows: z.array(z.record(z.string(), z.unknown())).describe("At most `limit` records; exact big integers as strings"),
  truncated: z.boolean().describe("More rows exist beyond `limit`, or may (see notes)"),
  notes: z.array(z.string()).describe("Caveats: a capped aggregate or join, a source read only in part"),
  durationMs: z.number(),
};

/** The previewed steps' file connections must lie inside the roots (as for analyze): a preview asks no confirmation. */
async function checkRoots(loaded: LoadedPipeline, step: string, ctx: ToolContext): Promise<void> {
  const pipeline = requireValid(loaded);
  const names = new Set(previewSteps(pipeline, step).flatMap((s) => (s.extract ? [s.extract.connection] : [])));
  for (const name of names) {
    const outside = await outsideRoots(name, pipeline.connections?.[name], loaded, ctx);
    if (outside) throw new ToolError("outside-roots", `connection \`${name}\`: ${outside}`);
  }
}

export const previewTool: ToolDefinition<typeof input, typeof output> = {
  name: "preview",
  title: "Preview a step's rows",
  description:
    "The first rows (default 20, max 1000) of one step's output, computed read-only with the limit pushed into the sources: nothing is staged, loaded or changed. Use it to check an extract or a transform's result while writing the pipeline, before plan and run.",
  input,
  output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  timeoutMs: 60_000,
  async run(args, ctx) {
    const loaded = await loadPipeline(args.path, ctx);
    try {
      await checkRoots(loaded, args.step, ctx);
      return await previewStep({
        file: loaded.path, pipeline: requireValid(loaded), env: loaded.env, step: args.step, limit: args.limit ?? MCP_DEFAULT_LIMIT, params: paramPairs(args.params),
        logger: ctx.logger, signal: ctx.signal, secretFolders: await ctx.workspace.roots(),
        onSecrets: (found) => found.forEach((s) => ctx.secrets.add(s)),
        ...(args.ds !== undefined ? { ds: args.ds } : {}),
      });
    } catch (err: unknown) {
      if (err instanceof ToolError) throw err;
      const e = previewError(err, [...ctx.secrets]);
      throw new ToolError(e.code, `${e.step ? `step \`${e.step}\`: ` : ""}${e.message}${e.fix ? `; fix: ${e.fix}` : ""}`);
    }
  },
};
