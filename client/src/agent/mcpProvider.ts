/**
 * Offers `agent-etl mcp` to VS Code's agent mode (`contributes.mcpServerDefinitionProviders`), so
 * the workspace needs no mcp.json: the bundled CLI run with VS Code's runtime, as the extension runs
 * it, with the open folders as its roots. None in Restricted Mode (the server resolves a pipeline's
 * secrets to plan and run); trusting the folder, changing folders or settings offers it anew.
 */
import * as vscode from "vscode";
import { Config } from "../config";
import { mcpApi, type McpStdioServerDefinition } from "./lmApi";
import { mcpInvocation } from "./mcpConnection";

export const MCP_PROVIDER_ID = "agentEtl.mcp";
const MCP_SERVER_LABEL = "Agent ETL";

/** The server definitions this workspace gets (also what the `agentEtl.mcpServerDefinitions` command returns). */
export function mcpServerDefinitions(config: Config, version: string): McpStdioServerDefinition[] {
  const api = mcpApi();
  if (!api || !vscode.workspace.isTrusted) return [];
  const inv = mcpInvocation(config);
  const def = new api.McpStdioServerDefinition(MCP_SERVER_LABEL, inv.command, inv.args, inv.env, version);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) def.cwd = folder.uri;
  return [def];
}

/** Registers the provider; nothing in an editor without the MCP API. */
export function registerMcpProvider(config: Config, version: string): vscode.Disposable[] {
  const api = mcpApi();
  if (!api) return [];
  const changed = new vscode.EventEmitter<void>();
  return [
    changed,
    api.registerProvider(MCP_PROVIDER_ID, { onDidChangeMcpServerDefinitions: changed.event, provideMcpServerDefinitions: () => mcpServerDefinitions(config, version) }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => changed.fire()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()),
    vscode.workspace.onDidChangeConfiguration((e) => Config.affects(e) && changed.fire()),
  ];
}
