import { z } from "zod";
import { serveStdio } from "../../mcp/server";
import { defineCommand } from "../command";

declare const AGENT_ETL_VERSION: string | undefined;

export const mcpCommand = defineCommand({
  name: "mcp",
  summary: "serve the tools to AI agents (Model Context Protocol over stdio)",
  usage: "agent-etl mcp",
  help: `Starts a Model Context Protocol server on stdin/stdout for AI agents (VS Code agent mode,
Claude Desktop/Code, Cursor, any MCP client). Configure the client to start \`agent-etl mcp\`.

Tools: validate, dag, analyze, generate, plan, run (refused unless the call carries confirm: true,
after the user agreed), runs. Resources: the pipeline JSON Schema, the format reference and the
examples. Prompt: new-pipeline (source, target).

Paths must lie in the workspace roots the client declares (or this folder when it declares none).
Secrets come from the environment and .env files, as for run; no tool result ever shows one.
Logs go to stderr (LOG_LEVEL, as for every command). The server ends when the client closes stdin.`,
  options: {},
  schema: z.object({ positionals: z.array(z.string()).max(0, "mcp takes no arguments") }),
  async run(_args, io) {
    await serveStdio({ version: typeof AGENT_ETL_VERSION === "string" ? AGENT_ETL_VERSION : "0.0.0-dev", cwd: io.cwd, env: io.env, logger: io.logger });
    return 0;
  },
});
