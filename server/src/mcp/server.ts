/**
 * `agent-etl mcp`: a Model Context Protocol server over stdio, built on the official SDK. Wiring
 * only: the tools (tools/*.ts), the resources and the prompt register here.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Logger } from "pino";
import { registerPrompts } from "./prompts";
import { registerResources } from "./resources";
import { registerTool, type ToolDeps } from "./toolKit";
import { analyzeTool } from "./tools/analyze";
import { dagTool } from "./tools/dag";
import { generateTool } from "./tools/generate";
import { planTool } from "./tools/plan";
import { previewTool } from "./tools/preview";
import { runTool } from "./tools/run";
import { runsTool } from "./tools/runs";
import { validateTool } from "./tools/validate";
import { Workspace } from "./workspace";

export interface McpOptions {
  version: string;
  cwd: string;
  /** Folders tools may use when the client declares no roots (default: `cwd`). */
  roots?: readonly string[];
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

const INSTRUCTIONS = `agent-etl builds and runs ETL pipelines written as YAML (*.etl.yaml).
Read the resources agent-etl://docs/pipeline-spec.md and agent-etl://schema/pipeline.schema.json before writing one.
To build a pipeline: analyze (or generate from the source), validate after every edit and apply its fixes, preview a step's rows to check it, plan, then run — only after the user said yes to running it.`;

function createMcpServer(options: McpOptions): McpServer {
  const server = new McpServer({ name: "agent-etl", version: options.version }, { instructions: INSTRUCTIONS });
  const deps: ToolDeps = { workspace: new Workspace(server.server, options.roots?.length ? options.roots : [options.cwd]), env: options.env, logger: options.logger };
  registerTool(server, deps, validateTool);
  registerTool(server, deps, dagTool);
  registerTool(server, deps, analyzeTool);
  registerTool(server, deps, generateTool);
  registerTool(server, deps, previewTool);
  registerTool(server, deps, planTool);
  registerTool(server, deps, runTool);
  registerTool(server, deps, runsTool);
  registerResources(server);
  registerPrompts(server);
  return server;
}

/** Serves on stdin/stdout until the client closes the stream. */
export async function serveStdio(options: McpOptions): Promise<void> {
  const server = createMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  options.logger.debug("mcp server listening on stdio");
  await closed;
  await server.close();
}
