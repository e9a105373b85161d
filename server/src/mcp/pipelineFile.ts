/**
 * A pipeline named by a tool's `path`: confined to the workspace roots, read as the CLI reads it,
 * validated, with the variables it can see (environment and `.env` files, as for `agent-etl run`).
 * Every secret value it references is added to the call's scrub list at once, so no later output
 * of the call (a message, a plan, an error) can carry one.
 */
import { dirname } from "node:path";
import { loadEnv } from "../env/load";
import { readPipelineFile } from "../runner/pipelineFile";
import { findSecretRefs } from "../pipeline/secrets";
import { validatePipeline, type ValidationResult } from "../pipeline/validate";
import type { Pipeline } from "../pipeline/model";
import type { Problem } from "../pipeline/problem";
import { resolveForAnalysis } from "../sources/analysis";
import { connectionSecretValues } from "../sources/analysis/fingerprint";
import { ToolError } from "./toolError";
import type { ToolContext } from "./toolKit";

export interface LoadedPipeline {
  /** The real path (inside the roots). */
  path: string;
  baseDir: string;
  text: string;
  env: Map<string, string>;
  result: ValidationResult;
  /** A decoding problem of the file (not UTF-8), reported with the others. */
  fileProblem?: Problem;
}

/** Adds the values of every `${env:NAME}` the text names, and of the connections' secrets, to `secrets`. */
export async function collectSecrets(text: string, env: ReadonlyMap<string, string>, pipeline: Pipeline | undefined, baseDir: string, ctx: ToolContext): Promise<void> {
  for (const ref of findSecretRefs(text)) {
    const value = ref.kind === "env" ? env.get(ref.name) : undefined;
    if (value) ctx.secrets.add(value);
  }
  if (!pipeline) return;
  const roots = await ctx.workspace.roots();
  for (const [name, connection] of Object.entries(pipeline.connections ?? {})) {
    const resolved = resolveForAnalysis(name, connection, env, baseDir, { secretFolders: roots });
    if ("failure" in resolved) continue;
    for (const s of [...resolved.secrets, ...connectionSecretValues(resolved.connection)]) ctx.secrets.add(s);
  }
}

/** The file's text and the variables it sees, without validating it (for tools that need only its graph). */
export async function readPipeline(path: string, ctx: ToolContext): Promise<Omit<LoadedPipeline, "result">> {
  const real = await ctx.workspace.resolve(path, "pipeline file");
  const file = readPipelineFile(real);
  const roots = await ctx.workspace.roots();
  const env = loadEnv(real, ctx.env, roots[0]);
  return { path: real, baseDir: dirname(real), text: file.text, env, ...(file.problem ? { fileProblem: file.problem } : {}) };
}

export async function loadPipeline(path: string, ctx: ToolContext): Promise<LoadedPipeline> {
  const read = await readPipeline(path, ctx);
  const result = validatePipeline(read.text, { envNames: new Set(read.env.keys()) });
  await collectSecrets(read.text, read.env, result.pipeline, read.baseDir, ctx);
  return { ...read, result };
}

/** The typed pipeline, or a ToolError listing the first errors and pointing at `validate`. */
export function requireValid(loaded: LoadedPipeline): Pipeline {
  const errors = [...(loaded.fileProblem ? [loaded.fileProblem] : []), ...loaded.result.problems.filter((p) => p.severity === "error")];
  if (errors.length === 0 && loaded.result.pipeline) return loaded.result.pipeline;
  const first = errors.slice(0, 3).map((p) => `[${p.code}] ${p.message}`).join("; ");
  throw new ToolError("invalid-pipeline", `${loaded.path} has ${errors.length} error${errors.length === 1 ? "" : "s"} (${first}); call validate on it, apply the fixes, then try again`);
}
