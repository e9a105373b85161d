/**
 * The extension's own connection to `agent-etl mcp`: the bundled CLI's MCP server, started once
 * (on the first tool call) with VS Code's runtime and spoken to through the SDK's Client over
 * stdio, so the language-model tools run the very code MCP clients get, not a second implementation.
 * The server may use the workspace folders (`--root`); it is restarted when they change.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as vscode from "vscode";
import type { Config } from "../config";
import type { Log } from "../log";
import { cliInvocation, type Invocation } from "../run/cliArgs";

/** `agent-etl mcp --root F…` for the open folders, run as the extension runs the CLI. */
export function mcpInvocation(config: Config): Invocation {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const args = ["mcp", ...folders.flatMap((f) => ["--root", f.uri.fsPath])];
  return cliInvocation(config.settings(folders[0]?.uri), config.bundledCli, process.execPath, args);
}

/** How long a call may take: a run as long as it keeps reporting progress, other tools 5 minutes. */
const TIMEOUT_MS = 5 * 60_000;

export class McpConnection implements vscode.Disposable {
  private client: Promise<Client> | undefined;

  constructor(private readonly config: Config, private readonly log: Log, private readonly version: string) {}

  /** Calls an MCP tool; VS Code's cancellation cancels the request on the server. */
  async call(tool: string, args: Record<string, unknown>, token: vscode.CancellationToken): Promise<CallToolResult> {
    const client = await this.connect();
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        signal: abort.signal,
        timeout: TIMEOUT_MS,
        resetTimeoutOnProgress: true,
        onprogress: (p) => p.message && this.log.info(`${tool}: ${p.message}`),
      });
      return result as CallToolResult;
    } finally {
      sub.dispose();
    }
  }

  private connect(): Promise<Client> {
    this.client ??= this.start().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  private async start(): Promise<Client> {
    const inv = mcpInvocation(this.config);
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const env = Object.fromEntries(Object.entries({ ...process.env, ...inv.env }).filter((e): e is [string, string] => typeof e[1] === "string"));
    const transport = new StdioClientTransport({ command: inv.command, args: inv.args, env, stderr: "pipe", ...(cwd ? { cwd } : {}) });
    transport.stderr?.on("data", (d: Buffer) => this.log.raw(d.toString()));
    const client = new Client({ name: "agent-etl-vscode", version: this.version });
    client.onclose = () => {
      this.log.info("the agent-etl MCP server ended");
      this.client = undefined;
    };
    this.log.info(`starting the agent-etl MCP server for the language-model tools: ${inv.args.slice(1).join(" ")}`);
    await client.connect(transport);
    return client;
  }

  /** Stops the server; the next call starts a new one (e.g. for new workspace folders). */
  reset(): void {
    const client = this.client;
    this.client = undefined;
    void client?.then((c) => c.close()).catch(() => undefined);
  }

  dispose(): void {
    this.reset();
  }
}
