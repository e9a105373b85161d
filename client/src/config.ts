/** Reads `agentEtl.*` settings in one place; the shape is the server's (protocol.ts). */
import * as path from "node:path";
import * as vscode from "vscode";
import { DEFAULT_SETTINGS, type AgentEtlSettings } from "../../server/src/protocol";
import { DEFAULT_DAGS_FOLDER, type AirflowTarget } from "./airflowTarget";

export const SECTION = "agentEtl";

export class Config {
  constructor(private readonly extensionPath: string) {}

  /** The settings for a resource (a pipeline file), with defaults for anything unset. */
  settings(scope?: vscode.Uri): AgentEtlSettings {
    const c = vscode.workspace.getConfiguration(SECTION, scope);
    return {
      logLevel: c.get("logLevel", DEFAULT_SETTINGS.logLevel),
      envFile: c.get("envFile", DEFAULT_SETTINGS.envFile),
      // Every `agentEtl.cacheTtl.<type>` at once: one per connection type (package.json, from the registry).
      cacheTtl: { ...c.get<Partial<Record<string, number>>>("cacheTtl", DEFAULT_SETTINGS.cacheTtl) },
      cliPath: this.resolve(c.get("cliPath", DEFAULT_SETTINGS.cliPath), scope),
      nodePath: this.resolve(c.get("nodePath", DEFAULT_SETTINGS.nodePath), scope),
      secretFolders: c.get("secretFolders", DEFAULT_SETTINGS.secretFolders),
    };
  }

  /**
   * Where Export to Airflow writes and what its DAG runs (client-only settings); empty strings are
   * unset. `agentEtl.export.outputDir`, the older name of the dags folder, still counts when set.
   */
  airflow(file: vscode.Uri): AirflowTarget {
    const c = vscode.workspace.getConfiguration(SECTION, file);
    const old = c.inspect<string>("export.outputDir");
    const oldValue = old?.workspaceFolderValue ?? old?.workspaceValue ?? old?.globalValue ?? "";
    return {
      cli: c.get("airflow.cli", "").trim(),
      pipelinePath: c.get("airflow.pipelinePath", "").trim(),
      dagsFolder: c.get("airflow.dagsFolder", "").trim() || oldValue.trim() || DEFAULT_DAGS_FOLDER,
    };
  }

  /** A dags folder setting as a path: relative ones resolve against the workspace folder. */
  dagsDir(dagsFolder: string, file: vscode.Uri): string {
    return this.resolve(dagsFolder || DEFAULT_DAGS_FOLDER, file) || path.dirname(file.fsPath);
  }

  /** The CLI bundled with the extension. */
  get bundledCli(): string {
    return path.join(this.extensionPath, "dist", "cli.js");
  }

  /** Relative paths in settings resolve against the workspace folder of `scope` (or the file's folder). */
  private resolve(p: string, scope?: vscode.Uri): string {
    const trimmed = p.trim();
    if (trimmed === "" || path.isAbsolute(trimmed) || !scope) return trimmed;
    const folder = vscode.workspace.getWorkspaceFolder(scope);
    return path.join(folder ? folder.uri.fsPath : path.dirname(scope.fsPath), trimmed);
  }

  static affects(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(SECTION);
  }
}
