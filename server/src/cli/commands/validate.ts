import { z } from "zod";
import { MAX_FILE_BYTES, MAX_PROBLEMS, type Listable } from "../../pipeline/limits";
import { internalError, type Problem } from "../../pipeline/problem";
import { defineCommand, formatOption } from "../command";
import { loadEnv } from "../../env/load";
import { checkPipelineFile, readPipelineFile, type PipelineText } from "../../runner/pipelineFile";
import { formatText, summary, toFileDiagnostics, type FileDiagnostic } from "../format";

export const validateCommand = defineCommand({
  name: "validate",
  summary: "check pipeline files and print diagnostics",
  usage: "agent-etl validate FILE… [--format text|json]",
  help: `Checks each pipeline file against the schema and the semantic rules.

Options:
  --format text|json   text (default): file:line:col: severity [code] message, and a summary
                       json: a list of {file, line, column, endLine, endColumn, severity, code, message}

At most ${MAX_PROBLEMS} problems are listed per file (errors first), then one [too-many-problems] line
counting the rest; files over ${MAX_FILE_BYTES / 1048576} MB are refused with one [file-too-large] error.

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable file.`,
  options: { format: { type: "string" } },
  schema: z.object({ positionals: z.array(z.string()).min(1, "give at least one pipeline file"), format: formatOption(["text", "json"] as const) }),
  async run(args, io) {
    const files = args.positionals.map((path) => readPipelineFile(path));
    const diagnostics: FileDiagnostic[] = [];
    // Every problem's severity, shown or not: the summary and the exit code count them all.
    const all: Listable[] = [];
    for (const file of files) {
      const started = performance.now();
      const envNames = new Set(loadEnv(file.path, io.env, io.cwd).keys());
      const result = checkFile(file, envNames, (err) => io.logger.error({ err, file: file.path }, "internal error while validating"));
      for (const p of result.problems) all.push(p);
      const fileDiagnostics = toFileDiagnostics(file.path, file.text, result.problems);
      diagnostics.push(...fileDiagnostics);
      io.logger.debug({ file: file.path, durationMs: +(performance.now() - started).toFixed(2), steps: result.steps, problems: result.problems.length }, "validated");
    }
    if (args.format === "json") io.stdout(JSON.stringify(diagnostics.map(({ related: _r, ...d }) => d), null, 2));
    else {
      const text = formatText(diagnostics);
      if (text) io.stdout(text);
      io.stdout(summary(all, files.length));
    }
    return all.some((d) => d.severity === "error") ? 1 : 0;
  },
});

/**
 * One file's problems. A bug in the checks on one file is that file's `internal-error` (an error:
 * the file was not fully checked), and the other files are still checked.
 */
function checkFile(file: PipelineText, envNames: ReadonlySet<string>, log: (err: unknown) => void): { problems: Problem[]; steps: number } {
  try {
    const result = checkPipelineFile(file, { envNames });
    return { problems: result.problems, steps: result.outline.steps.length };
  } catch (err: unknown) {
    log(err);
    return { problems: [...(file.problem ? [file.problem] : []), internalError("checking this file", err)], steps: 0 };
  }
}
