/**
 * Which `.env` files count for a pipeline. The same three places for every caller, in the order
 * each has always used; the CLI has no settings, so no `agentEtl.envFile`.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";

/** For a run from the CLI or MCP: the workspace root's `.env`, then the one beside the pipeline, which wins. */
export function runEnvFiles(pipelinePath: string, workspaceRoot: string): string[] {
  return [...new Set([join(resolve(workspaceRoot), ".env"), join(dirname(resolve(pipelinePath)), ".env")])];
}

/**
 * For the editor, nearest first: beside the document (when it is a file), the workspace root, and
 * `agentEtl.envFile` (relative to the workspace root).
 */
export function editorEnvFiles(path: string | undefined, workspaceRoot: string | undefined, envFile: string): string[] {
  const out: string[] = [];
  if (path) out.push(join(dirname(path), ".env"));
  if (workspaceRoot) out.push(join(workspaceRoot, ".env"));
  if (envFile) out.push(isAbsolute(envFile) || !workspaceRoot ? envFile : join(workspaceRoot, envFile));
  return [...new Set(out)];
}
