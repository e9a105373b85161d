/** `agent-etl preview FILE --step ID`: the first rows of one step's output; nothing staged or loaded. */
import { z } from "zod";
import { EtlError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { DATE_PATTERN } from "../../pipeline/model";
import { CLI_DEFAULT_LIMIT, PREVIEW_MAX_LIMIT, previewError, previewStep, type PreviewErrorJson } from "../../runner/preview";
import { closeConnectors } from "../../sources";
import { defineCommand, formatOption, type AnyCommand, type Io } from "../command";
import { loadEnv } from "../../env/load";
import { readPipelineFile, validateFile } from "../../runner/pipelineFile";
import { formatText, toFileDiagnostics } from "../format";
import { previewTable } from "../previewTable";

const schema = z.object({
  positionals: z.array(z.string()).length(1, "give exactly one pipeline file"),
  step: z.string({ error: "give the step to preview, e.g. --step orders" }).min(1, "give the step to preview, e.g. --step orders"),
  limit: z.coerce
    .number({ error: `give a whole number of rows from 1 to ${PREVIEW_MAX_LIMIT}` })
    .int(`give a whole number of rows from 1 to ${PREVIEW_MAX_LIMIT}`)
    .min(1, "give at least 1 row")
    .max(PREVIEW_MAX_LIMIT, `give at most ${PREVIEW_MAX_LIMIT} rows`)
    .default(CLI_DEFAULT_LIMIT),
  format: formatOption(["text", "json"] as const),
  ds: z.string().regex(new RegExp(DATE_PATTERN), "use a date like 2024-01-31").optional(),
  param: z.array(z.string()).default([]),
  var: z.array(z.string()).default([]),
});

type Args = z.output<typeof schema>;
/** Arguments that did not parse, kept so `--format json` can still answer in JSON. */
type Parsed = Args | { usage: EtlError; json: boolean };

function fail(io: Io, json: boolean, error: PreviewErrorJson, usage: boolean): number {
  if (json) io.stdout(JSON.stringify({ error }));
  else io.stderr(`agent-etl: ${error.step ? `step ${error.step}: ` : ""}${error.message}${error.fix ? `\n  fix: ${error.fix}` : ""}`);
  return usage ? 2 : 1;
}

async function execute(parsed: Parsed, io: Io): Promise<number> {
  if ("usage" in parsed) return fail(io, parsed.json, { code: "usage", message: scrubSecrets(parsed.usage.message), fix: "see agent-etl preview --help", step: null }, true);
  const args = parsed;
  const json = args.format === "json";
  const secrets: string[] = [];
  try {
    const file = readPipelineFile(args.positionals[0] as string);
    const env = loadEnv(file.path, io.env, io.cwd);
    const result = validateFile(file, { envNames: new Set(env.keys()) });
    const errors = toFileDiagnostics(file.path, file.text, result.problems).filter((d) => d.severity === "error");
    if (errors.length > 0 || !result.pipeline) {
      const first = errors[0];
      if (!json) io.stderr(formatText(errors));
      const message = `${file.path} has ${errors.length} error${errors.length === 1 ? "" : "s"}${first ? ` (first: line ${first.line}: [${first.code}] ${first.message})` : ""}`;
      return fail(io, json, { code: "invalid-pipeline", message, fix: `fix them first (agent-etl validate ${file.path})`, step: null }, false);
    }
    const preview = await previewStep({
      file: file.path, pipeline: result.pipeline, env, step: args.step, limit: args.limit, params: [...args.param, ...args.var], logger: io.logger,
      onSecrets: (found) => secrets.push(...found),
      ...(args.ds !== undefined ? { ds: args.ds } : {}),
    });
    io.stdout(json ? JSON.stringify(preview) : previewTable(preview));
    return 0;
  } catch (err: unknown) {
    const { usage, ...error } = previewError(err, secrets);
    return fail(io, json, error, usage);
  } finally {
    await closeConnectors();
  }
}

const command = defineCommand<Parsed>({
  name: "preview",
  summary: "show the first rows of one step's output (reads only; nothing staged or loaded)",
  usage: "agent-etl preview FILE --step ID [--limit N] [--format text|json] [--ds YYYY-MM-DD] [--param K=V]…",
  help: `Computes the first rows of a step's output in memory: its upstream extracts and transforms
run with the limit pushed into the sources (a SQL LIMIT in a READ ONLY transaction, one S3
object, one API page) and stop as soon as there are enough rows. Nothing is staged, no
incremental mark moves, no load and no \`sql\` step runs. Previewing a load shows the records
it would load. An aggregate, or a join's other side, reads at most 100,000 rows; \`notes\` says
when that (or a skipped object or page) makes the rows partial.

Options:
  --step ID          the step to preview (required)
  --limit N          rows to show, 1 to ${PREVIEW_MAX_LIMIT} (default ${CLI_DEFAULT_LIMIT})
  --format text|json text (default): an aligned table; json: {pipeline, step, limit, columns:
                     [{name, type}], rows, truncated, notes, durationMs}, or {error: {code,
                     message, fix, step}} when it fails
  --ds YYYY-MM-DD    logical date for {{ ds }} (default: today, UTC)
  --param K=V        set {{ params.K }} (repeatable; --var K=V is the same)

Exit codes: 0 rows shown, 1 a step failed or the file has errors, 2 bad usage (unknown step, a
\`sql\` step, a bad option).`,
  options: { step: { type: "string" }, limit: { type: "string" }, format: { type: "string" }, ds: { type: "string" }, param: { type: "string", multiple: true }, var: { type: "string", multiple: true } },
  schema: schema as z.ZodType<Parsed>,
  run: execute,
});

/** Wants JSON: `--format json` or `--format=json` among the arguments, even when others are wrong. */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
}

export const previewCommand: AnyCommand = {
  ...command,
  parse(argv: string[]): Parsed {
    try {
      return command.parse(argv) as Parsed;
    } catch (err: unknown) {
      if (err instanceof EtlError && err.code === "usage" && wantsJson(argv)) return { usage: err, json: true };
      throw err;
    }
  },
};
