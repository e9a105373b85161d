import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../../errors";
import { serveStdio } from "../../mcp/server";
import { defineCommand } from "../command";

declare const AGENT_ETL_VERSION: string | undefined;

export const mcpCommand = defineCommand({
  name: "mcp",
  summary: "serve the tools to AI agents (Model Context Protocol over stdio)",
  usage: "agent-etl mcp [--root DIR]…",
  help: `Starts a Model Context Protocol server on stdin/stdout for AI agents (VS Code agent mode,
Claude Desktop/Code, Cursor, any MCP client). Configure the client to start \`agent-etl mcp\`.

Tools: validate, dag, analyze, generate, plan, run (refused unless the call carries confirm: true,
after the user agreed), runs. Resources: the pipeline JSON Schema, the format reference and the
examples. Prompt: new-pipeline (source, target).

Options:
  --root DIR   the folder tools may use when the client declares no workspace roots (repeatable;
               default: the current folder). Give it where a client starts servers elsewhere.

Paths must lie in the workspace roots the client declares (else the --root folders), after
resolving .. and symbolic links.
Secrets come from the environment and .env files, as for run; no tool result ever shows one.
Logs go to stderr (LOG_LEVEL, as for every command). The server ends when the client closes stdin.`,
  options: { root: { type: "string", multiple: true } },
  schema: z.object({ positionals: z.array(z.string()).max(0, "mcp takes no positional arguments; give folders with --root DIR"), root: z.array(z.string().min(1)).default([]) }),
  async run(args, io) {
    const roots = args.root.map((r) => resolve(io.cwd, r));
    for (const root of roots) if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`mcp: --root ${root} is not a folder; give an existing folder`);
    await serveStdio({ version: typeof AGENT_ETL_VERSION === "string" ? AGENT_ETL_VERSION : "0.0.0-dev", cwd: io.cwd, roots, env: io.env, logger: io.logger });
    return 0;
  },
});
