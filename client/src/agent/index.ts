/** The agent features (VS Code ≥ 1.101): language-model tools and the MCP server definition, wired in one call. */
import * as vscode from "vscode";
import { Config } from "../config";
import type { Log } from "../log";
import { registerAgentTools } from "./agentTools";
import { McpConnection } from "./mcpConnection";
import { MCP_PROVIDER_ID, mcpServerDefinitions, registerMcpProvider } from "./mcpProvider";

/** An internal command: the MCP server definitions offered to VS Code (for tests and support). */
const MCP_DEFINITIONS_COMMAND = "agentEtl.mcpServerDefinitions";

export function registerAgentFeatures(extension: vscode.ExtensionContext, config: Config, log: Log): vscode.Disposable[] {
  const version = String((extension.extension.packageJSON as { version?: unknown }).version ?? "0.0.0");
  const conn = new McpConnection(config, log, version);
  const tools = registerAgentTools(extension, conn);
  const provider = registerMcpProvider(config, version);
  log.info(`agent features: ${tools.length} language-model tools, ${provider.length > 0 ? `MCP server provider ${MCP_PROVIDER_ID}` : "no MCP server provider"} (this editor ${tools.length === 0 ? "lacks the tool API" : "has the tool API"})`);
  return [
    conn,
    ...tools,
    ...provider,
    // New folders are new roots, and a changed CLI or Node setting is another server: restart on next call.
    vscode.workspace.onDidChangeWorkspaceFolders(() => conn.reset()),
    vscode.workspace.onDidChangeConfiguration((e) => Config.affects(e) && conn.reset()),
    vscode.commands.registerCommand(MCP_DEFINITIONS_COMMAND, () => mcpServerDefinitions(config, version).map((d) => ({ label: d.label, command: d.command, args: d.args, version: d.version }))),
  ];
}
