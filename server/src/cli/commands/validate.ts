import { z } from "zod";
import { internalError, type Problem } from "../../pipeline/problem";
import { validatePipeline } from "../../pipeline/validate";
import { defineCommand, formatOption } from "../command";
import { loadEnv, readPipelineFile } from "../files";
import { formatText, summary, toFileDiagnostics, type FileDiagnostic } from "../format";

export const validateCommand = defineCommand({
  name: "validate",
  summary: "check pipeline files and print diagnostics",
  usage: "agent-etl validate FILE… [--format text|json]",
  help: `Checks each pipeline file against the schema and the semantic rules.

Options:
  --format text|json   text (default): file:line:col: severity [code] message, and a summary
                       json: a list of {file, line, column, endLine, endColumn, severity, code, message}

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 bad usage or unreadable file.`,
  options: { format: { type: "string" } },
  schema: z.object({ positionals: z.array(z.string()).min(1, "give at least one pipeline file"), format: formatOption(["text", "json"] as const) }),
  async run(args, io) {
    const files = args.positionals.map((path) => readPipelineFile(path));
    const diagnostics: FileDiagnostic[] = [];
    for (const file of files) {
      const started = performance.now();
      const envNames = new Set(loadEnv(file.path, io.env, io.cwd).keys());
      const result = checkFile(file.text, envNames, (err) => io.logger.error({ err, file: file.path }, "internal error while validating"));
      const problems = file.problem ? [file.problem, ...result.problems] : result.problems;
      const fileDiagnostics = toFileDiagnostics(file.path, file.text, problems);
      diagnostics.push(...fileDiagnostics);
      io.logger.debug({ file: file.path, durationMs: +(performance.now() - started).toFixed(2), steps: result.steps, problems: fileDiagnostics.length }, "validated");
    }
    if (args.format === "json") io.stdout(JSON.stringify(diagnostics.map(({ related: _r, ...d }) => d), null, 2));
    else {
      const text = formatText(diagnostics);
      if (text) io.stdout(text);
      io.stdout(summary(diagnostics, files.length));
    }
    return diagnostics.some((d) => d.severity === "error") ? 1 : 0;
  },
});

/**
 * One file's problems. A bug in the checks on one file is that file's `internal-error` (an error:
 * the file was not fully checked), and the other files are still checked.
 */
function checkFile(text: string, envNames: ReadonlySet<string>, log: (err: unknown) => void): { problems: Problem[]; steps: number } {
  try {
    const result = validatePipeline(text, { envNames });
    return { problems: result.problems, steps: result.outline.steps.length };
  } catch (err: unknown) {
    log(err);
    return { problems: [internalError("checking this file", err)], steps: 0 };
  }
}
