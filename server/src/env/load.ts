/** The variables a pipeline sees, with values: for runs, previews and live analysis. */
import { editorEnvFiles, runEnvFiles } from "./discovery";
import { readDotenvFile } from "./dotenv";

/**
 * The process environment over `.env` beside the pipeline file over `.env` at the workspace root
 * (the current folder).
 */
export function loadEnv(pipelinePath: string, env: NodeJS.ProcessEnv = process.env, workspaceRoot = process.cwd()): Map<string, string> {
  return envOver(runEnvFiles(pipelinePath, workspaceRoot), env);
}

/**
 * The variables the editor's live analysis resolves with: the process environment over the `.env`
 * files the editor's diagnostics read (`editorEnvFiles`: beside the document over the workspace
 * root's over `agentEtl.envFile`), so a name the diagnostics know has its value here too.
 */
export function loadEditorEnv(path: string | undefined, workspaceRoot: string | undefined, envFile: string, env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  return envOver(editorEnvFiles(path, workspaceRoot, envFile).reverse(), env);
}

/** `env` over the `.env` files, a later file over an earlier one. */
function envOver(files: readonly string[], env: NodeJS.ProcessEnv): Map<string, string> {
  const vars = new Map<string, string>();
  for (const file of files) for (const [k, v] of readDotenvFile(file)) vars.set(k, v);
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  return vars;
}
