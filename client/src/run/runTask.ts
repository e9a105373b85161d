/** Builds the `agent-etl` VS Code task: ProcessExecution with an argument array, never a shell string. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { checkRunRequest, cliInvocation, runArgs, runLabel, type RunRequest } from "./cliArgs";
import type { Config } from "../config";

export const TASK_TYPE = "agent-etl";
const TASK_SOURCE = "Agent ETL";

export interface RunTaskDefinition extends vscode.TaskDefinition, RunRequest {
  type: typeof TASK_TYPE;
}

let eventsDir: string | undefined;

/** A fresh events file path in a private temp folder (the runner creates the file). */
function newEventsFile(): string {
  eventsDir ??= mkdtempSync(path.join(tmpdir(), "agent-etl-events-"));
  return path.join(eventsDir, `run-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.jsonl`);
}

function absoluteFile(file: string, folder: vscode.WorkspaceFolder | undefined): string {
  return path.isAbsolute(file) || !folder ? file : path.join(folder.uri.fsPath, file);
}

/** Makes the task for a request. Throws with what is wrong when a tasks.json entry is invalid. */
export function createRunTask(config: Config, definition: RunTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, eventsFile = newEventsFile()): vscode.Task {
  const problem = checkRunRequest(definition);
  if (problem) throw new Error(`agent-etl task: ${problem}.`);
  const folder = typeof scope === "object" ? scope : undefined;
  const file = absoluteFile(definition.file, folder);
  const inv = cliInvocation(config.settings(vscode.Uri.file(file)), config.bundledCli, process.execPath, runArgs({ ...definition, file }, eventsFile));
  const execution = new vscode.ProcessExecution(inv.command, inv.args, {
    cwd: folder ? folder.uri.fsPath : path.dirname(file),
    env: { ...inv.env, LOG_FORMAT: "pretty", FORCE_COLOR: "1" },
  });
  const task = new vscode.Task(definition, scope, runLabel(definition), TASK_SOURCE, execution, ["$agent-etl"]);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, showReuseMessage: false };
  return task;
}
