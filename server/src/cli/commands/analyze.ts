import { dirname, resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { AnalysisCache, defaultCacheDir } from "../../sources/analysis";
import { buildReport } from "../../sources/analysis/report";
import { renderReportText } from "../../sources/analysis/reportText";
import { defineCommand, formatOption } from "../command";
import { loadEnv } from "../../env/load";
import { readPipelineFile, validateFile } from "../../runner/pipelineFile";
import { formatText, toFileDiagnostics } from "../format";
import { connectionsView } from "../../pipeline/connectionsView";
import type { Problem } from "../../pipeline/problem";

/** Why a file's connections cannot be analysed, after its errors. */
function refusal(problems: readonly Problem[]): string {
  if (problems.some((p) => p.code !== "yaml-syntax" && p.code !== "file-too-large" && p.code !== "internal-error")) return "its connections have errors";
  return "the file cannot be read as a pipeline";
}

/** One line about the errors outside `connections:`: analysis goes on, without the steps they touch. */
function setAside(path: string, text: string, problems: readonly Problem[]): string {
  const first = formatText(toFileDiagnostics(path, text, problems.slice(0, 1))).split("\n")[0] ?? "";
  const n = problems.length;
  return `note: ${path} has ${n.toLocaleString("en-US")} error${n === 1 ? "" : "s"} outside its connections (steps not valid yet are not analysed); the first: ${first}`;
}

export const analyzeCommand = defineCommand({
  name: "analyze",
  summary: "show what live analysis sees in the pipeline's sources",
  usage: "agent-etl analyze FILE [--connection NAME] [--format text|json] [--refresh]",
  help: `Connects to each connection of the pipeline (read-only) and prints what it holds:
  postgres  schemas, tables and views with columns, types, keys, foreign keys, row estimates,
            and the columns of each extract's \`query\`
  s3, file  the root folder, and the columns sampled from each extract's key/path (first match)
  http      the fields of the records each extract's request returns

Options:
  --connection NAME   only this connection
  --format text|json  text (default), or JSON: {ok, connections: [{name, type, error?, analyses:
                      [{step, request, result? | error?}]}]}
  --refresh           ask the sources again instead of using cached results

Results are cached in $XDG_CACHE_HOME/agent-etl/analysis (default ~/.cache/agent-etl/analysis);
no secret is written there. Secrets come from \${env:…} (and .env files) and \${file:…}, as for run.
A half-written file can be analysed: it needs valid connections, and errors elsewhere are noted on
stderr (steps not valid yet are left out).
Exit codes: 0 every source answered, 1 a source failed or the connections have errors, 2 bad usage.`,
  options: { connection: { type: "string" }, format: { type: "string" }, refresh: { type: "boolean" } },
  schema: z.object({
    positionals: z.array(z.string()).length(1, "give exactly one pipeline file"),
    connection: z.string().optional(),
    format: formatOption(["text", "json"] as const),
    refresh: z.boolean().default(false),
  }),
  async run(args, io) {
    const file = readPipelineFile(args.positionals[0] as string);
    const env = loadEnv(file.path, io.env, io.cwd);
    const result = validateFile(file, { envNames: new Set(env.keys()) });
    const view = connectionsView(file.text, result);
    if (!view.ok) {
      io.stderr(`${formatText(toFileDiagnostics(file.path, file.text, view.refusals))}\n✖ ${file.path}: ${refusal(view.refusals)}; fix ${view.refusals.length === 1 ? "it" : "them"} to analyze (agent-etl validate ${file.path})`);
      return 1;
    }
    if (view.elsewhere.length > 0) io.stderr(setAside(file.path, file.text, view.elsewhere));
    const names = Object.keys(view.pipeline.connections ?? {});
    if (args.connection !== undefined && !names.includes(args.connection)) {
      throw new UsageError(`analyze: ${file.path} has no connection \`${args.connection}\`; its connections: ${names.join(", ") || "none"}`);
    }
    const cache = new AnalysisCache({ dir: defaultCacheDir(io.env) });
    const secrets = new Set<string>();
    const report = await buildReport(
      view.pipeline,
      { cache, env, baseDir: dirname(resolve(io.cwd, file.path)), refresh: args.refresh, ...(args.connection !== undefined ? { only: args.connection } : {}) },
      secrets,
    );
    await cache.flush();
    const text = args.format === "json" ? JSON.stringify(report, null, 2) : renderReportText(report);
    io.stdout(scrubSecrets(text, [...secrets].sort((a, b) => b.length - a.length)));
    return report.ok ? 0 : 1;
  },
});
