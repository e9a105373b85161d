/**
 * The MCP server as agents meet it: `node dist/cli.js mcp` spoken to by the SDK's own Client over
 * stdio. Every tool result is kept, so a test can prove no secret ever left the server.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListRootsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { pathToFileURL } from "node:url";
import { CLI } from "../runner/helpers";

export interface McpSession {
  client: Client;
  /** Calls a tool; the result is also kept in `outputs`. */
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** Every result's JSON (content and structured content), in order. */
  outputs: string[];
  stderr: () => string;
  close(): Promise<void>;
}

export interface StartOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Folders the client declares as its roots (none: the client has no roots capability). */
  roots?: string[];
  /** More arguments after `mcp`. */
  args?: string[];
}

export async function startMcp(options: StartOptions): Promise<McpSession> {
  const env = { ...(process.env as Record<string, string>), LOG_FORMAT: "json", ...options.env };
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, "mcp", ...(options.args ?? [])], cwd: options.cwd, env, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "agent-etl-test", version: "1.0.0" }, { capabilities: options.roots ? { roots: { listChanged: true } } : {} });
  if (options.roots) {
    const roots = options.roots;
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: roots.map((r) => ({ uri: pathToFileURL(r).href, name: r })) }));
  }
  await client.connect(transport);
  const outputs: string[] = [];
  return {
    client,
    outputs,
    async call(name, args) {
      const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
      outputs.push(JSON.stringify(result));
      return result;
    },
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** The structured content of a successful call, or a failure that shows the error text. */
export function ok<T = Record<string, unknown>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  if (!result.structuredContent) throw new Error("no structured content");
  return result.structuredContent as T;
}

export function errorText(result: CallToolResult): string {
  if (!result.isError) throw new Error(`expected an error, got ${JSON.stringify(result.structuredContent)}`);
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}
