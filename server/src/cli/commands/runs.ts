/**
 * `agent-etl runs`: the run history. `runs [FILE]` lists recent runs, `runs show RUN_ID [FILE]` one
 * run's steps, `runs prune [FILE]` forgets old runs (history and staged outputs). Without FILE, the
 * pipeline files (`*.etl.yaml`) of the current folder.
 */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { InputError, UsageError } from "../../errors";
import { loadEnv } from "../../env/load";
import { resolveConnections } from "../../env/resolve";
import { AGE_PATTERN } from "../../pipeline/observe";
import type { Pipeline } from "../../pipeline/model";
import { historyConnectionNames, openHistory, type HistoryStore } from "../../runner/history";
import { RECORD_STATUSES, type RunRecord } from "../../runner/history/recordSchema";
import { choosePrune, knownRuns, prune, retentionRule, type KnownRun } from "../../runner/history/retention";
import { newestFirst } from "../../runner/history/store";
import { readPipelineFile, validateFile } from "../../runner/pipelineFile";
import { openStaging } from "../../runner/staging";
import { defineCommand, formatOption, type Io } from "../command";
import { runsTable, runText } from "../runsTable";

const whole = (what: string) => z.coerce.number({ error: `give a whole number of ${what}, e.g. 20` }).int(`give a whole number of ${what}, e.g. 20`).min(1, "give at least 1").max(100_000, "give at most 100000");

const schema = z.object({
  positionals: z.array(z.string()).max(3, "too many arguments; see the usage"),
  limit: whole("runs").optional(),
  status: z.enum(["succeeded", "failed", "running", "cancelled"], { error: (i) => `unknown status ${JSON.stringify(i.input)}; use ${RECORD_STATUSES.join(", ")}` }).optional(),
  format: formatOption(["text", "json"] as const),
  keep: whole("runs").optional(),
  "older-than": z.string().regex(new RegExp(AGE_PATTERN), "give an age like 30d or 12h").optional(),
  "dry-run": z.boolean().default(false),
  "include-resumable": z.boolean().default(false),
});

type Args = z.output<typeof schema>;

const PRUNE_ONLY = ["keep", "older-than", "dry-run", "include-resumable"] as const;
const LIST_ONLY = ["limit", "status"] as const;

interface Opened {
  pipeline: Pipeline;
  file: string;
  history: HistoryStore;
  env: ReadonlyMap<string, string>;
}

/** The pipeline files of the folder, when none is given. */
function filesOf(dir: string): string[] {
  const files = readdirSync(dir).filter((n) => /\.etl\.ya?ml$/.test(n)).sort();
  if (files.length === 0) throw new InputError(`no pipeline file (*.etl.yaml) in ${dir}; give one: agent-etl runs FILE`);
  return files.map((n) => join(dir, n));
}

async function open(path: string, io: Io): Promise<Opened> {
  const file = readPipelineFile(path);
  const env = loadEnv(file.path, io.env, io.cwd);
  const result = validateFile(file, { envNames: new Set(env.keys()) });
  if (!result.pipeline) throw new InputError(`${path} has errors, so its history cannot be read; see agent-etl validate ${path}`);
  const baseDir = dirname(resolve(file.path));
  const resolved = resolveConnections(result.pipeline.connections, env, baseDir, historyConnectionNames(result.pipeline));
  return { pipeline: result.pipeline, file: file.path, env, history: await openHistory(result.pipeline, baseDir, resolved.connections, resolved.secrets) };
}

async function withPipelines<T>(paths: readonly string[], io: Io, fn: (o: Opened) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const path of paths) {
    const opened = await open(path, io);
    try {
      out.push(await fn(opened));
    } finally {
      await opened.history.close();
    }
  }
  return out;
}

function refuse(args: Args, names: readonly (keyof Args)[], sub: string): void {
  for (const n of names) if (args[n] !== undefined && args[n] !== false) throw new UsageError(`runs: --${n} does not apply to \`runs${sub}\`; see agent-etl runs --help`);
}

async function list(args: Args, files: readonly string[], io: Io): Promise<number> {
  const limit = args.limit ?? 20;
  const per = await withPipelines(files, io, async (o) => ({ runs: await o.history.list({ limit, ...(args.status ? { status: args.status } : {}) }), where: o.history.describe() }));
  const runs = per.flatMap((p) => p.runs).sort(newestFirst).slice(0, limit);
  io.stdout(args.format === "json" ? JSON.stringify({ runs }) : runsTable(runs, per.map((p) => p.where).join(", ")));
  return 0;
}

async function show(args: Args, runId: string, files: readonly string[], io: Io): Promise<number> {
  const found = (await withPipelines(files, io, (o) => o.history.get(runId))).find((r): r is RunRecord => r !== undefined);
  if (!found) throw new InputError(`no run ${JSON.stringify(runId)} in the history of ${files.join(", ")}; list the runs with: agent-etl runs ${files.length === 1 ? files[0] : ""}`.trimEnd());
  io.stdout(args.format === "json" ? JSON.stringify({ run: found }) : runText(found));
  return 0;
}

async function pruneRuns(args: Args, files: readonly string[], io: Io): Promise<number> {
  const lines = await withPipelines(files, io, async (o) => {
    const baseDir = dirname(resolve(o.file));
    const forStaging = resolveConnections(o.pipeline.connections, o.env, baseDir, o.pipeline.staging ? [o.pipeline.staging.connection] : []);
    const store = await openStaging(o.pipeline, baseDir, forStaging.connections, forStaging.secrets);
    const rule = retentionRule(o.pipeline.retention, { ...(args.keep !== undefined ? { keep: args.keep } : {}), ...(args["older-than"] !== undefined ? { olderThan: args["older-than"] } : {}), includeResumable: args["include-resumable"] });
    const choice = choosePrune(await knownRuns(o.history, store, o.pipeline.name), rule, Date.now());
    if (!args["dry-run"]) await prune(choice.prune, o.history, store);
    return { pipeline: o.pipeline.name, ...choice };
  });
  if (args.format === "json") {
    const shown = (r: KnownRun) => ({ run_id: r.runId, started_at: r.startedAt, status: r.status, history: r.inHistory, staging: r.staged });
    io.stdout(JSON.stringify({ dry_run: args["dry-run"], pipelines: lines.map((l) => ({ pipeline: l.pipeline, pruned: l.prune.map(shown), kept: l.spared.map((s) => ({ ...shown(s.run), why: s.why })) })) }));
    return 0;
  }
  const verb = args["dry-run"] ? "would prune" : "pruned";
  io.stdout(lines.flatMap((l) => [
    `${l.pipeline}: ${verb} ${l.prune.length} run${l.prune.length === 1 ? "" : "s"}${l.prune.length > 0 ? ":" : ""}`,
    ...l.prune.map((r) => `  ${r.runId} (${r.status}, started ${r.startedAt})`),
    ...l.spared.map((s) => `  kept ${s.run.runId}: ${s.why}`),
  ]).join("\n"));
  return 0;
}

async function execute(args: Args, io: Io): Promise<number> {
  const [first, ...rest] = args.positionals;
  if (first === "show") {
    refuse(args, [...PRUNE_ONLY, ...LIST_ONLY], " show");
    const [runId, file, extra] = rest;
    if (runId === undefined) throw new UsageError("runs show: give the run id: agent-etl runs show RUN_ID [FILE]");
    if (extra !== undefined) throw new UsageError("runs show: give one run id and at most one pipeline file");
    return show(args, runId, file !== undefined ? [file] : filesOf(io.cwd), io);
  }
  if (first === "prune") {
    refuse(args, LIST_ONLY, " prune");
    if (rest.length > 1) throw new UsageError("runs prune: give at most one pipeline file");
    return pruneRuns(args, rest[0] !== undefined ? [rest[0]] : filesOf(io.cwd), io);
  }
  refuse(args, PRUNE_ONLY, "");
  if (rest.length > 0) throw new UsageError("runs: give at most one pipeline file (or `runs show RUN_ID`, `runs prune`)");
  return list(args, first !== undefined ? [first] : filesOf(io.cwd), io);
}

export const runsCommand = defineCommand({
  name: "runs",
  summary: "list recent runs, show one, or prune old ones (the run history)",
  usage: "agent-etl runs [FILE] [--limit N] [--status S] [--format text|json] | runs show RUN_ID [FILE] | runs prune [FILE] [--keep N] [--older-than 30d] [--dry-run] [--include-resumable]",
  help: `Reads the run history: .etl/history/ beside the pipeline file, or the table of its
\`history: {connection}\`. Without FILE, the pipeline files of the current folder.

  runs [FILE]               recent runs, newest first: status, run id, start, duration, rows
                            loaded, failed step (⚠: an anomaly was flagged)
    --limit N               most runs listed (default 20)
    --status S              only runs that are succeeded, failed, running or cancelled
  runs show RUN_ID [FILE]   one run: each step's status, rows in and out, time, attempts,
                            checks, anomalies, and a failed step's error and fix
  runs prune [FILE]         forget old runs: their history and their staged outputs
    --keep N                keep the newest N runs (default: retention.keep_runs, 20)
    --older-than AGE        prune runs started longer ago, e.g. 30d, 12h (default: retention.max_age)
    --dry-run               say what would be pruned, remove nothing
    --include-resumable     also prune runs that did not succeed and could be resumed
                            (the last successful run is never pruned)
  --format text|json        text (default) or JSON: {"runs": [...]}, {"run": {...}}`,
  options: {
    limit: { type: "string" },
    status: { type: "string" },
    format: { type: "string" },
    keep: { type: "string" },
    "older-than": { type: "string" },
    "dry-run": { type: "boolean" },
    "include-resumable": { type: "boolean" },
  },
  schema,
  run: execute,
});
