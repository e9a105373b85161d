/**
 * Export to Airflow: asks, the first time, how Airflow's workers run agent-etl and where they see
 * the pipeline (the CLI's defaults would bind the DAG to this machine), offers to save the answers
 * in the workspace settings, runs `agent-etl export airflow`, and says what the export warns about
 * in the notification itself.
 */
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import * as vscode from "vscode";
import { cliProblem, DEFAULT_AIRFLOW_CLI, expandPipelinePath, exportWarnings, missingTarget, pipelinePathProblem, type AirflowTarget } from "./airflowTarget";
import { failureText, runCli } from "./cliProcess";
import { SECTION } from "./config";
import type { Ctx } from "./ctx";
import { exportAirflowArgs } from "./run/cliArgs";
import { saveIfDirty, targetPipeline } from "./target";

const TITLE = "Export to Airflow";

/** What an export did, returned by the command (tests and other extensions read it). */
export interface ExportOutcome {
  file: string;
  warnings: string[];
}

/** The exported file: `<dir>/<pipeline name>.py`, else the newest .py the export wrote. */
async function exportedFile(dir: string, name: string | null, since: number): Promise<string | undefined> {
  if (name) {
    const direct = path.join(dir, `${name}.py`);
    if (await stat(direct).then(() => true, () => false)) return direct;
  }
  const files = await readdir(dir).catch(() => [] as string[]);
  const stats = await Promise.all(files.filter((f) => f.endsWith(".py")).map(async (f) => ({ f, s: await stat(path.join(dir, f)) })));
  const fresh = stats.filter((x) => x.s.mtimeMs >= since - 1000).sort((a, b) => b.s.mtimeMs - a.s.mtimeMs)[0];
  return fresh ? path.join(dir, fresh.f) : undefined;
}

/** Asks for the command, the pipeline path and the dags folder, then whether to keep them; undefined when cancelled. */
async function askTarget(uri: vscode.Uri, current: AirflowTarget): Promise<AirflowTarget | undefined> {
  const input = (step: string, value: string, prompt: string, validateInput: (v: string) => string | undefined) =>
    vscode.window.showInputBox({ title: `${TITLE} (${step})`, value, prompt, validateInput, ignoreFocusOut: true });
  const cli = await input("1/4): the command Airflow's workers run", current.cli || DEFAULT_AIRFLOW_CLI,
    "How Airflow's workers start agent-etl, as typed in their shell: agent-etl (installed with npm install -g agent-etl) or node /opt/agent-etl/dist/cli.js", cliProblem);
  if (cli === undefined) return undefined;
  const pipelinePath = await input("2/4): where Airflow's workers find the pipeline", current.pipelinePath || uri.fsPath,
    "This file's path on the workers. The path on this machine is right only if Airflow runs here; ${relativeFile} stands for the file's path in the workspace, e.g. /opt/airflow/repo/${relativeFile}", pipelinePathProblem);
  if (pipelinePath === undefined) return undefined;
  const dagsFolder = await input("3/4): the dags folder", current.dagsFolder,
    "Where the DAG file is written: Airflow's dags folder, or one you deploy from. A relative path is inside the workspace folder.", (v) => (v.trim() ? undefined : "Enter a folder, e.g. dags"));
  if (dagsFolder === undefined) return undefined;
  const target: AirflowTarget = { cli: cli.trim(), pipelinePath: pipelinePath.trim(), dagsFolder: dagsFolder.trim() };
  const inFolder = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  const save = inFolder ? "Save in the workspace settings" : "Save in the user settings";
  const picked = await vscode.window.showQuickPick([save, "Use them for this export only"], { title: `${TITLE} (4/4): keep these answers?`, ignoreFocusOut: true });
  if (picked === undefined) return undefined;
  if (picked === save) {
    const config = vscode.workspace.getConfiguration(SECTION, uri);
    const where = inFolder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global;
    await config.update("airflow.cli", target.cli, where);
    await config.update("airflow.pipelinePath", target.pipelinePath, where);
    await config.update("airflow.dagsFolder", target.dagsFolder, where);
  }
  return target;
}

/** The command: returns what it wrote, or undefined when it was cancelled or failed (the user was told). */
export async function exportAirflow(ctx: Ctx, arg: unknown): Promise<ExportOutcome | undefined> {
  const uri = await targetPipeline(TITLE, arg);
  if (!uri) return undefined;
  await saveIfDirty(uri);
  const configured = ctx.config.airflow(uri);
  const target = missingTarget(configured) ? await askTarget(uri, configured) : configured;
  if (!target) return undefined;
  const dir = ctx.config.dagsDir(target.dagsFolder, uri);
  const on = { cli: target.cli, pipelinePath: expandPipelinePath(target.pipelinePath, uri.fsPath, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath) };
  const started = Date.now();
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${path.basename(uri.fsPath)} to Airflow…` },
    () => runCli(ctx.config, ctx.log, uri, exportAirflowArgs(uri.fsPath, dir, on)));
  if (result.code !== 0) {
    const pick = await vscode.window.showErrorMessage(`${TITLE} failed: ${failureText(result)}`, "Show Logs");
    if (pick) ctx.log.show();
    return undefined;
  }
  const name = await ctx.api?.dag(uri.toString()).then((d) => d.name, () => null) ?? null;
  const file = await exportedFile(dir, name, started);
  if (!file) {
    void vscode.window.showWarningMessage(`${TITLE} finished but no DAG file was found in ${dir}.`);
    return undefined;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  const warnings = exportWarnings(result.stderr);
  const done = `Exported the Airflow DAG to ${vscode.workspace.asRelativePath(file)}`;
  // The warning right after the file name: a toast shows its first line until it is expanded.
  if (warnings.length > 0) void vscode.window.showWarningMessage(`${done}, but ${warnings.join("; and ")}.`);
  else void vscode.window.showInformationMessage(`${done}: its tasks run \`${on.cli}\` on ${on.pipelinePath}.`);
  return { file, warnings };
}
