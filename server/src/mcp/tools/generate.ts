/**
 * `generate`: a pipeline built from a source's metadata, as `agent-etl generate` writes it. Returns
 * the YAML; writes it only to a path given that does not exist yet (never overwrites).
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { IDENTIFIER_PATTERN } from "../../pipeline/model";
import { generatePipeline } from "../../generate";
import { localPathOf } from "../../generate/location";
import { ToolError } from "../toolError";
import type { ToolContext, ToolDefinition } from "../toolKit";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "give the name of an environment variable, e.g. SOURCE_URL");

const input = {
  source: z.string().min(1).optional().describe("postgres:// URL, s3://bucket/prefix, http(s):// API URL, or a folder/data file in the workspace"),
  sourceEnv: envName.optional().describe("Instead of source: the environment variable of the server holding it (keeps a password out of the conversation)"),
  target: z.string().min(1).optional().describe("Where the data goes: postgres:// URL, s3:// prefix or a folder (default: ./out beside the file)"),
  targetEnv: envName.optional().describe("Instead of target: the environment variable holding it"),
  include: z.array(z.string().min(1)).optional().describe("Only these tables (schema.table or table) or datasets"),
  name: z.string().regex(new RegExp(IDENTIFIER_PATTERN), "a pipeline name is lowercase letters, digits and _, starting with a letter").optional(),
  path: z.string().min(1).optional().describe("Write the pipeline to this new file (refused when it exists); default: only return the YAML"),
  timeoutSeconds: z.number().positive().max(600).optional().describe("Give up after this long (default 60)"),
};

const output = {
  yaml: z.string().describe("The pipeline; secrets are ${env:NAME} references"),
  path: z.string().optional().describe("The file written, when path was given"),
  steps: z.number().int(),
  env: z.array(z.object({ name: z.string(), why: z.string() })).describe("Variables to set (environment or .env beside the file) before running it"),
  notes: z.array(z.string()),
};

function location(inline: string | undefined, name: string | undefined, what: "source" | "target", ctx: ToolContext): string | undefined {
  if (inline !== undefined && name !== undefined) throw new ToolError("bad-arguments", `give ${what} or ${what}Env, not both`);
  if (name === undefined) return inline;
  const value = ctx.env[name]?.trim();
  if (!value) throw new ToolError("missing-env", `${what}Env ${name}: the server's environment has no ${name}; set it in the MCP client's server config (env), or pass ${what} instead`);
  return value;
}

/** A local path is confined to the roots; a URL's password joins the call's secrets. */
async function checked(value: string | undefined, what: string, ctx: ToolContext): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const path = localPathOf(value);
  if (path !== undefined) return ctx.workspace.resolve(path, what);
  try {
    const url = new URL(value);
    for (const s of [url.password, decodeURIComponent(url.password), ...[...url.searchParams.values()].filter((v) => v.length >= 8)]) if (s) ctx.secrets.add(s);
  } catch {
    // not a URL: generate says what is wrong with it
  }
  return value;
}

export const generateTool: ToolDefinition<typeof input, typeof output> = {
  name: "generate",
  title: "Generate a pipeline",
  description: "Build a pipeline from a source's metadata (PostgreSQL tables, S3/folder datasets, an API's records) and an optional target; returns YAML, and writes it only to a new file given as path. Start a new pipeline with it.",
  input,
  output,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  timeoutMs: 60_000,
  async run(args, ctx) {
    const from = await checked(location(args.source, args.sourceEnv, "source", ctx), "source", ctx);
    if (from === undefined) throw new ToolError("bad-arguments", "give source (a postgres:// URL, s3://bucket/prefix, an http(s):// API URL or a folder) or sourceEnv");
    const to = await checked(location(args.target, args.targetEnv, "target", ctx), "target", ctx);
    const roots = await ctx.workspace.roots();
    const output = args.path !== undefined ? await ctx.workspace.resolve(args.path, "path") : undefined;
    if (output !== undefined && existsSync(output)) throw new ToolError("exists", `${args.path} already exists; give a new file name (generate never overwrites), or edit the existing file`);
    const baseDir = output !== undefined ? dirname(output) : (roots[0] as string);
    const result = await generatePipeline({ from, ...(to !== undefined ? { to } : {}), ...(args.include ? { include: args.include } : {}), ...(args.name ? { name: args.name } : {}), baseDir, cwd: roots[0] as string, logger: ctx.logger });
    if (output !== undefined) {
      try {
        writeFileSync(output, result.text, { flag: "wx" });
      } catch (err: unknown) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ToolError("write-failed", code === "EEXIST" ? `${args.path} already exists; give a new file name` : `cannot write ${args.path}: ${(err as Error).message}`);
      }
    }
    return { yaml: result.text, ...(output !== undefined ? { path: output } : {}), steps: result.plan.steps.length, env: result.env, notes: result.notes };
  },
};
