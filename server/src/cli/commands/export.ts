/** `agent-etl export airflow FILE [-o DIR]`: writes the pipeline as an Airflow DAG file. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { generateAirflowDag, type AirflowExport } from "../../airflow/generate";
import { splitWords } from "../../airflow/shellWords";
import { EtlError, UsageError } from "../../errors";
import { defineCommand, type Io } from "../command";
import { loadEnv } from "../../env/load";
import { readPipelineFile, validateFile } from "../../runner/pipelineFile";
import { formatText, toFileDiagnostics } from "../format";

const TARGETS = ["airflow"] as const;

const schema = z.object({
  positionals: z
    .array(z.string())
    .length(2, "give a target and one pipeline file: agent-etl export airflow FILE")
    .superRefine((p, ctx) => {
      if (!(TARGETS as readonly string[]).includes(p[0] as string)) ctx.addIssue({ code: "custom", message: `unknown export target ${JSON.stringify(p[0])}; targets: ${TARGETS.join(", ")}` });
    }),
  out: z.string().min(1, "give a folder, or - for stdout").default("."),
  "pipeline-path": z.string().min(1, "give the pipeline path as the Airflow workers see it").optional(),
  cli: z.string().optional(),
  check: z.boolean().default(false),
});

type Args = z.output<typeof schema>;

/** `node <repo>/dist/cli.js`: the built CLI next to this code (bundle or source tree), run by the `node` on the workers' PATH. */
function defaultCli(): string[] {
  let dir = __dirname;
  for (;;) {
    if (basename(dir) === "dist" && existsSync(join(dir, "cli.js"))) return ["node", join(dir, "cli.js")];
    if (existsSync(join(dir, "dist", "cli.js")) || existsSync(join(dir, "package.json"))) return ["node", join(dir, "dist", "cli.js")];
    const parent = dirname(dir);
    if (parent === dir) return ["agent-etl"];
    dir = parent;
  }
}

function cliWords(args: Args): string[] {
  if (args.cli === undefined) return defaultCli();
  const split = splitWords(args.cli);
  if ("error" in split) throw new UsageError(`export: --cli: ${split.error}; give the command as you would type it, e.g. --cli "node '/opt/my repo/dist/cli.js'"`);
  return split.words;
}

/** Writes through a temporary file and a rename, so Airflow's parser never sees half a file. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err: unknown) {
    rmSync(tmp, { force: true });
    throw new EtlError("export-write", `cannot write ${path}: ${err instanceof Error ? err.message : String(err)}; check that the folder is writable`);
  }
}

function emit(result: AirflowExport, args: Args, io: Io): number {
  if (args.out === "-") {
    io.stdout(result.code);
    return 0;
  }
  const target = resolve(io.cwd, args.out, result.fileName);
  const shown = relative(io.cwd, target).startsWith("..") ? target : relative(io.cwd, target) || target;
  if (args.check) {
    const current = existsSync(target) ? readFileSync(target, "utf8") : undefined;
    if (current === result.code) {
      io.stdout(`${shown} is up to date`);
      return 0;
    }
    io.stderr(`✖ ${shown} ${current === undefined ? "does not exist" : "differs from the pipeline"}; run: agent-etl export airflow ${args.positionals[1] ?? ""} -o ${args.out}`);
    return 1;
  }
  writeAtomically(target, result.code);
  io.stdout(`wrote ${shown} (dag_id ${result.dagId})`);
  return 0;
}

export const exportCommand = defineCommand({
  name: "export",
  summary: "write the pipeline as an Airflow DAG (export airflow FILE)",
  usage: "agent-etl export airflow FILE [-o DIR] [--pipeline-path PATH] [--cli COMMAND] [--check]",
  help: `Writes DIR/<name>.py, an Airflow DAG (Airflow 2.9+ and 3.x) with one task per step. Each task
runs \`<cli> run <pipeline> --step <id> --run-id <name>__{{ run_id }}\` on the Airflow worker
(the pipeline's name first: Airflow's run ids repeat across DAGs, run folders must not).

Options:
  -o, --out DIR            folder for the DAG file (default: the current folder); - prints it to stdout
  --pipeline-path PATH     the pipeline file as the workers see it (default: FILE's absolute path)
  --cli COMMAND            the command that runs agent-etl on the workers, shell-quoted
                           (default: node <this installation>/dist/cli.js)
  --check                  write nothing; exit 1 when DIR/<name>.py is missing or differs (for CI)

Secrets are never written: tasks keep the worker's environment, where \${env:…} references resolve.
Steps share outputs through the pipeline's staging; on several workers use an s3 staging connection.
Exit codes: 0 success, 1 the file has errors or --check found a difference, 2 bad usage or unreadable file.`,
  options: { out: { type: "string", short: "o" }, "pipeline-path": { type: "string" }, cli: { type: "string" }, check: { type: "boolean" } },
  rules: [{ flag: "check", conflicts: ["out=-"], why: "--check compares the DAG file in the -o folder with the pipeline, and -o - writes no file; give the folder, or leave out --check" }],
  schema,
  async run(args: Args, io: Io) {
    const path = args.positionals[1] as string;
    const file = readPipelineFile(resolve(io.cwd, path));
    const validation = validateFile(file, { envNames: new Set(loadEnv(file.path, io.env, io.cwd).keys()) });
    const errors = validation.problems.filter((p) => p.severity === "error");
    if (errors.length > 0 || !validation.pipeline) {
      io.stderr(`${formatText(toFileDiagnostics(path, file.text, errors))}\n✖ ${path} has errors; fix them before exporting (agent-etl validate ${path})`);
      return 1;
    }
    const source = relative(io.cwd, file.path).split(sep).join("/");
    const result = generateAirflowDag(validation.pipeline, validation.dag, {
      source: source.startsWith("..") ? file.path : source,
      pipelinePath: args["pipeline-path"] ?? file.path,
      cli: cliWords(args),
    });
    if (!result.ok) {
      io.stderr(result.errors.map((e) => `✖ ${path}: ${e}`).join("\n"));
      return 1;
    }
    for (const warning of result.value.warnings) io.stderr(`agent-etl: warning: ${warning}`);
    return emit(result.value, args, io);
  },
});
