/** Offers a "run" task per pipeline file and resolves `agent-etl` tasks written in tasks.json. */
import * as vscode from "vscode";
import { createRunTask, TASK_TYPE, type RunTaskDefinition } from "./runTask";
import type { Config } from "../config";
import type { Log } from "../log";

export class RunTaskProvider implements vscode.TaskProvider {
  constructor(private readonly config: Config, private readonly log: Log) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const files = await vscode.workspace.findFiles("**/*.etl.{yaml,yml}", "**/node_modules/**", 100);
    return files.flatMap((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder) return [];
      const file = vscode.workspace.asRelativePath(uri, false);
      return [createRunTask(this.config, { type: TASK_TYPE, file }, folder)];
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as RunTaskDefinition;
    if (def.type !== TASK_TYPE) return undefined;
    try {
      // The task from tasks.json must keep its definition object (VS Code matches on it).
      const resolved = createRunTask(this.config, def, task.scope ?? vscode.TaskScope.Workspace);
      return new vscode.Task(def, task.scope ?? vscode.TaskScope.Workspace, task.name, task.source, resolved.execution, task.problemMatchers.length > 0 ? task.problemMatchers : ["$agent-etl"]);
    } catch (err: unknown) {
      this.log.error(`tasks.json entry ${JSON.stringify(def)}`, err);
      void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }
}

/** Starts a run of `request` for the pipeline at `uri` in the integrated terminal. */
export async function startRun(config: Config, uri: vscode.Uri, request: Omit<RunTaskDefinition, "type" | "file">): Promise<vscode.TaskExecution> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const task = createRunTask(config, { type: TASK_TYPE, file: uri.fsPath, ...request }, folder ?? vscode.TaskScope.Workspace);
  return vscode.tasks.executeTask(task);
}
