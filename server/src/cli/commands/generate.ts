import { existsSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { InputError, UsageError } from "../../errors";
import { IDENTIFIER_PATTERN } from "../../pipeline/model";
import { analyzeSourceForGenerate, GeneratedInvalidError, generatePipeline, sourceItems } from "../../generate";
import { parseLocation } from "../../generate/location";
import { defineCommand, formatOption, type Io } from "../command";
import { formatText, toFileDiagnostics } from "../format";

const includeList = z
  .string()
  .transform((s) => s.split(",").map((n) => n.trim()).filter((n) => n !== ""))
  .optional();

const schema = z.object({
  positionals: z.array(z.string()).max(0, "generate takes no positional arguments; give the source with --from"),
  from: z.string().optional(),
  "from-env": z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "give the name of an environment variable, e.g. --from-env SOURCE_URL").optional(),
  to: z.string().optional(),
  "to-env": z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "give the name of an environment variable, e.g. --to-env TARGET_URL").optional(),
  output: z.string().optional(),
  include: includeList,
  list: z.boolean().default(false),
  force: z.boolean().default(false),
  format: formatOption(["text", "json"] as const),
  name: z.string().regex(new RegExp(IDENTIFIER_PATTERN), "a pipeline name is lowercase letters, digits and _, starting with a letter").optional(),
});

type Args = z.output<typeof schema>;

/**
 * A location given inline (`--from URL`) or by the name of an environment variable holding it
 * (`--from-env VAR`): a URL with a password then never appears in the process's arguments, which
 * every user of the machine can read (`ps`). The extension passes what the user types that way.
 */
function location(inline: string | undefined, envName: string | undefined, option: "from" | "to", env: NodeJS.ProcessEnv): string | undefined {
  if (inline !== undefined && envName !== undefined) throw new UsageError(`generate: give --${option} or --${option}-env, not both`);
  if (envName === undefined) return inline;
  const value = env[envName];
  if (value === undefined || value.trim() === "") throw new UsageError(`generate: --${option}-env ${envName}: the environment variable ${envName} is not set (or is empty); set it to the ${option === "from" ? "source" : "target"} URL or path`);
  return value.trim();
}

function sourceOf(args: Args, env: NodeJS.ProcessEnv): string {
  const from = location(args.from, args["from-env"], "from", env);
  if (from === undefined) throw new UsageError("generate: --from: required: the source, a postgres:// URL, s3://bucket/prefix, an http(s):// API URL, or a folder (or --from-env VAR, a variable holding it)");
  return from;
}

async function list(args: Args, io: Io): Promise<number> {
  const source = await parseLocation(sourceOf(args, io.env), "source", io.cwd, io.cwd);
  const analysis = await analyzeSourceForGenerate(source, io.logger);
  const items = sourceItems(analysis);
  if (args.format === "json") {
    io.stdout(JSON.stringify({ source: source.type, items }, null, 2));
    return 0;
  }
  const width = Math.max(4, ...items.map((i) => i.name.length));
  io.stdout(items.length === 0 ? "(nothing found)" : items.map((i) => `${i.name.padEnd(width)}  ${i.kind.padEnd(8)}  ${i.detail}`).join("\n"));
  return 0;
}

function write(output: string | undefined, text: string, force: boolean, io: Io): void {
  if (output === undefined) {
    io.stdout(text);
    return;
  }
  try {
    writeFileSync(output, text, { flag: force ? "w" : "wx" });
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new InputError(`${output} already exists; choose another -o file or add --force to overwrite it`);
    throw new InputError(`cannot write ${output}: ${(err as Error).message}`);
  }
}

export const generateCommand = defineCommand({
  name: "generate",
  summary: "write a pipeline for a database, bucket, folder or API, built from its metadata",
  usage: "agent-etl generate --from URL_OR_PATH|--from-env VAR [--to URL_OR_PATH|--to-env VAR] [-o FILE] [--include NAMES] [--list] [--format text|json] [--name NAME] [--force]",
  help: `Reads the source's metadata and writes a commented pipeline that validates and runs.

Sources (--from) and targets (--to):
  postgres://user@host:5432/db             a PostgreSQL database: one extract per table, loads ordered by foreign keys
  s3://bucket/prefix?endpoint=URL&region=R&force_path_style=true
                                           an S3 prefix (credentials: AWS default chain / AWS_ACCESS_KEY_ID …)
  https://host/path?query                  an API endpoint: records and pagination detected from one response
  PATH                                     a local folder or data file (csv, jsonl, json)

Options:
  --from-env VAR       read the source from the environment variable VAR instead of --from: a URL
                       with a password stays out of the process's arguments, which \`ps\` shows
  --to URL_OR_PATH     where the data goes (default: the folder ./out beside the written file)
  --to-env VAR         read the target from the environment variable VAR instead of --to
  -o, --output FILE    the file to write (default: stdout); an existing file is kept unless --force
  --include A,B        only these tables (schema.table or table) / datasets
  --list               print what the source offers instead of writing a pipeline
  --format text|json   format of --list
  --name NAME          the pipeline's name (default: from the source)

Secrets never land in the file: passwords become \${env:NAME} references, and the variables to set
are printed to stderr. Exit codes: 0 written, 1 the source failed or the result does not validate
(a bug: the problems are printed), 2 bad usage.`,
  options: {
    from: { type: "string" },
    "from-env": { type: "string" },
    to: { type: "string" },
    "to-env": { type: "string" },
    output: { type: "string", short: "o" },
    include: { type: "string" },
    list: { type: "boolean" },
    force: { type: "boolean" },
    format: { type: "string" },
    name: { type: "string" },
  },
  rules: [
    { flag: "list", conflicts: ["output", "to", "to-env", "name", "force", "include"], why: "--list prints what the source offers and writes no pipeline; leave out one of them" },
    { flag: "format", needs: "list", why: "--format is the format of --list; a pipeline is always YAML" },
    { flag: "force", needs: "output", why: "--force lets -o overwrite an existing file; without -o the pipeline goes to stdout" },
  ],
  schema,
  async run(args, io) {
    const from = sourceOf(args, io.env);
    const to = location(args.to, args["to-env"], "to", io.env);
    if (args.list) return list(args, io);
    if (args.output !== undefined && existsSync(resolve(io.cwd, args.output)) && !args.force) {
      throw new InputError(`${args.output} already exists; choose another -o file or add --force to overwrite it`);
    }
    const output = args.output === undefined ? undefined : resolve(io.cwd, args.output);
    const baseDir = output === undefined ? io.cwd : dirname(output);
    let result;
    try {
      result = await generatePipeline({ from, ...(to ? { to } : {}), ...(args.include ? { include: args.include } : {}), ...(args.name ? { name: args.name } : {}), baseDir, cwd: io.cwd, logger: io.logger });
    } catch (err: unknown) {
      if (!(err instanceof GeneratedInvalidError)) throw err;
      io.stderr(`agent-etl: ${err.message}`);
      io.stderr(formatText(toFileDiagnostics(args.output ?? "<generated>", err.text, err.problems)));
      return 1;
    }
    write(output, result.text, args.force, io);
    if (output !== undefined) io.stderr(`wrote ${args.output} (${result.plan.steps.length} steps)`);
    if (result.env.length > 0) io.stderr(["Set these environment variables before running it:", ...result.env.map((e) => `  ${e.name}  — ${e.why}`)].join("\n"));
    for (const note of result.notes) io.stderr(`note: ${note}`);
    return 0;
  },
});
