/** `analyze`: what live analysis sees in a pipeline's connections, through the same cache as `agent-etl analyze` and the editor. */
import { resolve } from "node:path";
import { z } from "zod";
import type { Connection } from "../../pipeline/model";
import { AnalysisCache, defaultCacheDir, resolveForAnalysis } from "../../sources/analysis";
import { buildReport } from "../../sources/analysis/report";
import { descriptorFor } from "../../sources/registry";
import { loadPipeline, requireValid, type LoadedPipeline } from "../pipelineFile";
import { ToolError } from "../toolError";
import type { ToolContext, ToolDefinition } from "../toolKit";
import { pathArg } from "./shapes";

const input = {
  path: pathArg,
  connection: z.string().min(1).optional().describe("Only this connection (default: all)"),
  refresh: z.boolean().optional().describe("Ask the sources again instead of using cached results"),
  timeoutSeconds: z.number().positive().max(600).optional().describe("Give up after this long (default 60)"),
};

const failure = z.object({ code: z.string(), message: z.string() });
const output = {
  ok: z.boolean().describe("true when every source answered"),
  connections: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      error: failure.optional(),
      analyses: z.array(
        z.object({
          step: z.string().nullable().describe("The extract step the request comes from; null for the connection's overview"),
          request: z.record(z.string(), z.unknown()),
          result: z.record(z.string(), z.unknown()).optional().describe("postgres: tables with columns, keys and foreign keys; s3/file: keys and inferred columns; http: fields"),
          error: failure.optional(),
        }),
      ),
    }),
  ),
};

/** A file connection's folder outside the roots is not read: why, or undefined when it may be. */
export async function outsideRoots(name: string, connection: Connection | undefined, loaded: LoadedPipeline, ctx: ToolContext): Promise<string | undefined> {
  const local = descriptorFor(connection?.type)?.localFiles;
  if (!connection || !local) return undefined;
  // The root as analysis will use it: with its ${env:} references filled in.
  const resolved = resolveForAnalysis(name, connection, loaded.env, loaded.baseDir, { secretFolders: await ctx.workspace.roots() });
  if ("failure" in resolved) return undefined;
  const root = resolve(loaded.baseDir, (resolved.connection as Record<string, unknown>)[local.rootKey] as string | undefined ?? ".");
  try {
    await ctx.workspace.resolve(root, "the connection's root");
    return undefined;
  } catch (err: unknown) {
    if (err instanceof ToolError) return `${err.message}; analyze reads files only inside the workspace roots (a run you confirm may read it)`;
    throw err;
  }
}

export const analyzeTool: ToolDefinition<typeof input, typeof output> = {
  name: "analyze",
  title: "Analyze sources",
  description: "What the pipeline's connections hold, read live (read-only) and cached: PostgreSQL tables, columns and keys; S3/file keys and inferred columns; API fields. Use it to write steps against real names.",
  input,
  output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  timeoutMs: 60_000,
  async run(args, ctx) {
    const loaded = await loadPipeline(args.path, ctx);
    const pipeline = requireValid(loaded);
    const names = Object.keys(pipeline.connections ?? {});
    if (args.connection !== undefined && !names.includes(args.connection)) {
      throw new ToolError("unknown-connection", `${args.path} has no connection \`${args.connection}\`; its connections: ${names.join(", ") || "none"}`);
    }
    const cache = new AnalysisCache({ dir: defaultCacheDir(ctx.env) });
    const roots = await ctx.workspace.roots();
    const options = { cache, env: loaded.env, baseDir: loaded.baseDir, refresh: args.refresh ?? false, signal: ctx.signal, secretFolders: roots };
    const wanted = args.connection !== undefined ? [args.connection] : names;
    const reports = await Promise.all(
      wanted.map(async (name) => {
        const connection = pipeline.connections?.[name];
        const outside = await outsideRoots(name, connection, loaded, ctx);
        if (outside && connection) return { ok: false, connections: [{ name, type: connection.type, error: { code: "outside-roots", message: outside }, analyses: [] }] };
        return buildReport(pipeline, { ...options, only: name }, ctx.secrets);
      }),
    );
    await cache.flush();
    const report = { ok: reports.every((r) => r.ok), connections: reports.flatMap((r) => r.connections) };
    // Results are plain JSON values; the round trip drops Maps and undefined the schema cannot carry.
    return JSON.parse(JSON.stringify(report)) as z.output<z.ZodObject<typeof output>>;
  },
};
