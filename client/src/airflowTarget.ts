/**
 * Where an exported DAG runs: the command Airflow's workers start agent-etl with and the pipeline
 * path as they see it. Without them the CLI writes this machine's paths (its own `dist/cli.js`,
 * the file's absolute path) into the DAG, which only works when Airflow runs here. No `vscode`
 * import: unit-tested as is.
 */
import * as path from "node:path";

/** What the export needs, as the settings hold it (`pipelinePath` may hold `${relativeFile}`/`${fileBasename}`). */
export interface AirflowTarget {
  cli: string;
  pipelinePath: string;
  /** As written in the setting (relative paths resolve against the workspace folder). */
  dagsFolder: string;
}

export const DEFAULT_AIRFLOW_CLI = "agent-etl";
export const DEFAULT_DAGS_FOLDER = "dags";

/** `${relativeFile}` (the file's path in its workspace folder, `/`-separated) and `${fileBasename}` replaced. */
export function expandPipelinePath(template: string, file: string, workspaceFolder: string | undefined): string {
  const relative = workspaceFolder ? path.relative(workspaceFolder, file) : path.basename(file);
  const inFolder = relative.startsWith("..") || path.isAbsolute(relative) ? path.basename(file) : relative;
  return template.trim().replace(/\$\{relativeFile\}/g, inFolder.split(path.sep).join("/")).replace(/\$\{fileBasename\}/g, path.basename(file));
}

/** Why a pipeline path cannot go into a DAG, or undefined when it can. */
export function pipelinePathProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === "") return "Enter the pipeline file's path as Airflow's workers see it, e.g. /opt/airflow/pipelines/${relativeFile}.";
  if (!path.posix.isAbsolute(v) && !path.win32.isAbsolute(v)) return "Give an absolute path: Airflow runs each task from a temporary folder, where a relative path finds nothing.";
  return undefined;
}

/** Why a CLI command cannot go into a DAG, or undefined when it can (the CLI checks its quoting). */
export function cliProblem(value: string): string | undefined {
  return value.trim() === "" ? `Enter the command that runs agent-etl on Airflow's workers, e.g. ${DEFAULT_AIRFLOW_CLI} or node /opt/agent-etl/dist/cli.js.` : undefined;
}

/** The warnings `agent-etl export` printed (e.g. outputs staged in a folder other workers cannot see). */
export function exportWarnings(stderr: string): string[] {
  return stderr.split(/\r?\n/).flatMap((l) => {
    const m = /^agent-etl: warning: (.+)$/.exec(l.trim());
    return m?.[1] ? [m[1]] : [];
  });
}

/** The settings still to be asked for before an export: none once the command and the path are set. */
export function missingTarget(target: Partial<AirflowTarget>): boolean {
  return !target.cli?.trim() || !target.pipelinePath?.trim();
}
