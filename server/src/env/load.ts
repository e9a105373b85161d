/** The variables a pipeline sees, with values: for runs, previews and live analysis. */
import { runEnvFiles } from "./discovery";
import { readDotenvFile } from "./dotenv";

/**
 * The process environment over `.env` beside the pipeline file over `.env` at the workspace root
 * (the current folder).
 */
export function loadEnv(pipelinePath: string, env: NodeJS.ProcessEnv = process.env, workspaceRoot = process.cwd()): Map<string, string> {
  const vars = new Map<string, string>();
  for (const file of runEnvFiles(pipelinePath, workspaceRoot)) for (const [k, v] of readDotenvFile(file)) vars.set(k, v);
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  return vars;
}
