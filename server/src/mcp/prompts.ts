/** The `new-pipeline` prompt: the steps an agent follows to build, check and run a pipeline with the tools. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

function newPipelineText(source: string, target: string | undefined): string {
  const to = target ? ` into ${target}` : "";
  return `Build an agent-etl pipeline that loads ${source}${to}. Follow these steps with the agent-etl tools:

1. Read agent-etl://docs/pipeline-spec.md (the format) if you have not yet.
2. generate {source: ${JSON.stringify(source)}${target ? `, target: ${JSON.stringify(target)}` : ""}, path: "<name>.etl.yaml"} — a first pipeline from the source's metadata. A URL with a password belongs in the server's environment: pass sourceEnv/targetEnv (the variable's name) instead of the URL. Tell the user which variables (env) to set, in the environment or a .env file beside the pipeline; never ask for or write a secret value into the file.
3. analyze {path} — the real tables, columns and fields; adjust the steps (select, rename, casts, keys) to what the user wants.
4. validate {path} after every edit; apply the fixes it offers, until it reports valid: true.
5. dag {path} — check the steps and their order.
6. preview {path, step} — the first rows of a transform (or of what a load would load), read-only; check the columns and values are what the user wants, and fix the steps if not.
7. plan {path} — show the user the plan: what each step reads and writes, and which tables or files the run will change.
8. Ask the user whether to run it. Only if they agree: run {path, confirm: true}.
9. runs {path, runId} — report rows per step; for a failed step, its error and fix; after fixing, ask again and run {path, runId, resume: true, confirm: true}.`;
}

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    "new-pipeline",
    {
      title: "New pipeline",
      description: "Build, validate, plan and (with the user's consent) run a pipeline from a source to a target.",
      argsSchema: {
        source: z.string().describe("Where the data comes from: a postgres:// URL, s3://bucket/prefix, an API URL or a folder (or the name of an environment variable holding it)"),
        target: z.string().optional().describe("Where it goes: a postgres:// URL, s3:// prefix or folder (default: ./out)"),
      },
    },
    ({ source, target }) => ({ messages: [{ role: "user", content: { type: "text", text: newPipelineText(source, target) } }] }),
  );
}
