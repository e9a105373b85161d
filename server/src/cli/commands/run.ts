import { availableParallelism } from "node:os";
import { z } from "zod";
import { EtlError, UsageError } from "../../errors";
import { TRIGGERS, type Trigger } from "../../runner/history/recordSchema";
import { countOf } from "../../pipeline/limits";
import { DATE_PATTERN } from "../../pipeline/model";
import { EventBus } from "../../runner/events";
import { planText } from "../../runner/plan";
import { plainListener, summaryTable, TtyProgress } from "../progress";
import { prepareRun, runPipeline, type RunOptions } from "../../runner/runPipeline";
import { levelsFor } from "../../runner/scheduler";
import { defineCommand, type Io } from "../command";
import { checkEventsPath, openEventsFile } from "../eventsFile";
import { onTerminalLog } from "../log";
import { loadEnv } from "../../env/load";
import { readPipelineFile, validateFile } from "../../runner/pipelineFile";
import { formatText, toFileDiagnostics } from "../format";
import { finalLines } from "../../runner/runOutcome";
import { backfillChunkCount, backfillChunks, backfillRunId, EVERY_PATTERN, everyMs, MAX_BACKFILL_RUNS, runBackfill, type BackfillChunk, type BackfillRun } from "../../runner/backfill";

/** The pattern lets `2024-02-30` through; a logical date must name a real day. */
function isCalendarDate(ds: string): boolean {
  const [year, month, day] = ds.split("-").map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const calendarDate = () =>
  z.string().regex(new RegExp(DATE_PATTERN), "use a date like 2024-01-31").refine(isCalendarDate, { error: (issue) => `${String(issue.input)} is not a day of the calendar; use a date like 2024-01-31` });

/** `--ts`: an ISO 8601 date and time with its offset, as Airflow renders `{{ ts }}`. */
const TS_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const TS_EXAMPLE = "use a date and time with its offset, e.g. 2024-01-31T05:00:00+00:00";
const utcDateOf = (ts: string) => new Date(ts).toISOString().slice(0, 10);

const schema = z.object({
  positionals: z.array(z.string()).length(1, "give exactly one pipeline file"),
  step: z.array(z.string()).default([]),
  "run-id": z.string().optional(),
  resume: z.boolean().default(false),
  ds: calendarDate().optional(),
  ts: z.string().regex(TS_PATTERN, TS_EXAMPLE).refine((ts) => !Number.isNaN(Date.parse(ts)), { error: (issue) => `${String(issue.input)} is not a moment of the calendar; ${TS_EXAMPLE}` }).optional(),
  param: z.array(z.string()).default([]),
  concurrency: z.coerce.number({ error: "give a whole number of steps, e.g. 4" }).int("give a whole number of steps, e.g. 4").min(1, "give at least 1").max(256, "give at most 256").optional(),
  "dry-run": z.boolean().default(false),
  events: z.string().optional(),
  "skip-checks": z.boolean().default(false),
  from: calendarDate().optional(),
  to: calendarDate().optional(),
  every: z.string().regex(EVERY_PATTERN, "give a duration: a whole number of hours or days, e.g. 1h, 6h, 1d (the default), 7d").default("1d"),
}).superRefine((args, ctx) => {
  if (args.ts !== undefined && args.ds !== undefined && !Number.isNaN(Date.parse(args.ts)) && utcDateOf(args.ts) !== args.ds) {
    ctx.addIssue({ code: "custom", path: ["ds"], message: `${args.ds} is not the date of --ts ${args.ts} (${utcDateOf(args.ts)} in UTC); give one of them, or both for the same moment` });
  }
  if (args.from === undefined || args.to === undefined) return;
  const step = everyMs(args.every);
  if (args.from > args.to) ctx.addIssue({ code: "custom", path: ["to"], message: `${args.to} is before --from ${args.from}; give the first day with --from and the last with --to` });
  else if (step !== undefined && backfillChunkCount(args.from, args.to, step) > MAX_BACKFILL_RUNS) {
    ctx.addIssue({ code: "custom", path: ["to"], message: `${args.from} … ${args.to} every ${args.every} is more than ${MAX_BACKFILL_RUNS.toLocaleString("en-US")} runs; backfill a shorter range, or with a longer --every` });
  }
});

type Args = z.output<typeof schema>;

/** `AGENT_ETL_TRIGGER`: what started the run, as the history records it (the editor and Airflow's tasks set it). */
function triggerOf(env: NodeJS.ProcessEnv): Trigger {
  const given = env.AGENT_ETL_TRIGGER;
  if (given === undefined || given === "") return "cli";
  if ((TRIGGERS as readonly string[]).includes(given)) return given as Trigger;
  throw new UsageError(`run: AGENT_ETL_TRIGGER=${JSON.stringify(given)} is not a trigger; use one of ${TRIGGERS.join(", ")} (or leave it unset: cli)`);
}

async function execute(args: Args, io: Io): Promise<number> {
  const events = args.events !== undefined ? checkEventsPath(io.cwd, args.events) : undefined;
  const file = readPipelineFile(args.positionals[0] as string);
  const env = loadEnv(file.path, io.env, io.cwd);
  const result = validateFile(file, { envNames: new Set(env.keys()) });
  const errors = toFileDiagnostics(file.path, file.text, result.problems).filter((d) => d.severity === "error");
  if (errors.length > 0 || !result.pipeline) {
    const count = countOf(result.problems, "error");
    io.stderr(`${formatText(errors)}\n✖ ${file.path} has ${count.toLocaleString("en-US")} error${count === 1 ? "" : "s"}; fix them before running (agent-etl validate ${file.path})`);
    return 1;
  }
  const controller = new AbortController();
  if (args.from !== undefined && args.to !== undefined) return backfill(args, io, { file: file.path, pipeline: result.pipeline, dag: result.dag, env });
  let runId = "";
  const bus = new EventBus(() => runId);
  const concurrency = args.concurrency ?? availableParallelism();
  // On a terminal the live view and the summary tell the run's story: its info lines would say it
  // all a second time between the redraws. They are shown when LOG_LEVEL asks for them.
  const storyLogger = process.stdout.isTTY && process.stderr.isTTY && io.env.LOG_LEVEL === undefined ? io.logger.child({}, { level: "warn" }) : undefined;
  const opts: RunOptions = {
    file: file.path, pipeline: result.pipeline, dag: result.dag, env, steps: args.step, resume: args.resume, params: args.param, concurrency, bus, logger: io.logger, signal: controller.signal,
    ...(storyLogger ? { storyLogger } : {}),
    ...(args["run-id"] !== undefined ? { runId: args["run-id"] } : {}),
    ...(args.ds !== undefined ? { ds: args.ds } : {}),
    ...(args.ts !== undefined ? { ts: args.ts } : {}),
    ...(args["skip-checks"] ? { skipChecks: true } : {}),
  };
  opts.trigger = triggerOf(io.env);
  const prepared = await prepareRun(opts);
  runId = prepared.ctx.runId;
  if (args["dry-run"]) {
    io.stdout(planText(prepared.ctx, levelsFor(result.dag.levels, prepared.selected), concurrency));
    return 0;
  }
  if (events !== undefined) openEventsFile(bus, events, args.events as string);
  if (process.stdout.isTTY) {
    // Straight to the terminal: io.stdout ends every text with a line break, and the block's
    // cursor moves must not gain one.
    const tty = new TtyProgress((text) => void process.stdout.write(text), () => process.stdout.columns);
    bus.on(tty.listener);
    // A log line (a retry's warning, a failure) would otherwise be drawn over by the next redraw.
    onTerminalLog(() => tty.erase());
  } else bus.on(plainListener(io.stdout));
  // SIGTERM is how Airflow, Docker and Kubernetes stop a task: like Ctrl-C, abort the steps (loads
  // roll back), record the run as failed and print the summary. A second signal kills at once.
  let terminated = false;
  // The first signal of either kind stops the run; both listeners go, so any second one (Ctrl-C
  // then SIGTERM, or the reverse) takes its default action and ends the process at once.
  const stop = (signal: "SIGINT" | "SIGTERM") => {
    process.removeListener("SIGINT", onSigint);
    process.removeListener("SIGTERM", onSigterm);
    terminated = signal === "SIGTERM";
    controller.abort(new EtlError("interrupted", signal === "SIGINT" ? "interrupted (Ctrl-C)" : "interrupted (SIGTERM)"));
  };
  const onSigint = () => stop("SIGINT");
  const onSigterm = () => stop("SIGTERM");
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  try {
    const report = await runPipeline(opts, prepared);
    const anomalies = report.anomalies.map((a) => `⚠ anomaly: ${a.message}`);
    io.stdout(`\n${summaryTable(report)}\n\n${[...anomalies, finalLines(report, file.path, result.dag)].join("\n")}`);
    // 128 + 15, the code of a process ended by SIGTERM: what supervisors expect of a stopped task.
    return report.status === "succeeded" ? 0 : terminated ? 143 : 1;
  } finally {
    process.removeListener("SIGINT", onSigint);
    process.removeListener("SIGTERM", onSigterm);
    onTerminalLog(undefined);
    bus.close();
  }
}

/** `--from … --to … [--every …]`: one run per chunk (runner/backfill.ts), one line per run as it ends, one summary. */
async function backfill(args: Args, io: Io, shared: Pick<RunOptions, "file" | "pipeline" | "dag" | "env">): Promise<number> {
  const chunks = backfillChunks(args.from as string, args.to as string, everyMs(args.every));
  const parallel = args.concurrency ?? 1;
  if (args["dry-run"]) {
    const runs = `${chunks.length} run${chunks.length === 1 ? "" : "s"}${args.every === "1d" ? "" : ` (every ${args.every})`}`;
    io.stdout(`backfill of ${shared.pipeline.name}: ${runs}, ${parallel} at a time\n${chunks.map((c) => `  ${c.ts}  run ${backfillRunId(shared.pipeline.name, c)}`).join("\n")}`);
    return 0;
  }
  const quiet = io.logger.child({}, { level: "warn" });
  const base = { ...shared, steps: [], params: args.param, concurrency: availableParallelism(), logger: io.logger, storyLogger: quiet, ...(args["skip-checks"] ? { skipChecks: true } : {}) };
  // Ctrl-C or SIGTERM stops the days running (their loads roll back) and starts no more.
  const controller = new AbortController();
  let terminated = false;
  const stop = (signal: NodeJS.Signals) => {
    terminated = signal === "SIGTERM";
    controller.abort(new EtlError("interrupted", `interrupted (${signal === "SIGINT" ? "Ctrl-C" : "SIGTERM"})`));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const started = performance.now();
  let done = 0;
  try {
    const results = await runBackfill({
      base: { ...base, signal: controller.signal },
      chunks,
      parallel,
      resume: args.resume,
      onRun: (run) => {
        done++;
        const mark = run.status === "succeeded" ? "✓" : run.status === "skipped" ? "·" : "✗";
        const what = run.status === "skipped" ? "already succeeded" : `${run.rows.toLocaleString("en-US")} rows loaded  ${(run.durationMs / 1000).toFixed(1)} s${run.error !== undefined ? `  ${run.error}` : ""}`;
        io.stdout(`[${done}/${chunks.length}] ${mark} ${run.label}  ${what}`);
      },
    });
    io.stdout(`\n${backfillSummary(results, chunks, performance.now() - started, shared.file, args)}`);
    return results.length === chunks.length && results.every((r) => r.status !== "failed") ? 0 : terminated ? 143 : 1;
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}

function backfillSummary(results: readonly BackfillRun[], chunks: readonly BackfillChunk[], ms: number, file: string, args: Args): string {
  const count = (s: BackfillRun["status"]) => results.filter((r) => r.status === s).length;
  const failed = results.filter((r) => r.status === "failed").map((r) => r.label);
  const missing = chunks.length - results.length;
  const rows = results.reduce((n, r) => n + r.rows, 0);
  const every = args.every === "1d" ? "" : ` --every ${args.every}`;
  const lines = [`backfill ${chunks[0]?.label} … ${chunks[chunks.length - 1]?.label}: ${count("succeeded")} succeeded, ${failed.length} failed, ${count("skipped")} already succeeded${missing > 0 ? `, ${missing} not run` : ""}; ${rows.toLocaleString("en-US")} rows loaded in ${(ms / 1000).toFixed(1)} s`];
  if (failed.length > 0) lines.push(`failed: ${failed.join(", ")}`);
  if (failed.length > 0 || missing > 0) lines.push(`continue with: agent-etl run ${file} --from ${args.from} --to ${args.to}${every} --resume (re-runs only the failed and missing runs)`);
  return lines.join("\n");
}

export const runCommand = defineCommand({
  name: "run",
  summary: "run a pipeline, or some of its steps",
  usage: "agent-etl run FILE [--step ID]… [--run-id ID] [--resume] [--ds YYYY-MM-DD] [--ts TIMESTAMP] [--param K=V]… [--concurrency N] [--dry-run] [--events FILE] [--skip-checks]\n       agent-etl run FILE --from YYYY-MM-DD --to YYYY-MM-DD [--every 1d|1h|Nh|Nd] [--concurrency N] [--resume] [--param K=V]… [--dry-run] [--skip-checks]",
  help: `Runs the pipeline's steps over its DAG, level by level. Each step's output is staged under
.etl/runs/<run_id>/ beside the file (or the pipeline's \`staging\` connection).

Options:
  --step ID          run only this step (repeatable), reading upstream outputs from staging
  --run-id ID        the run to create or continue (default: a new id; with --step/--resume the latest run)
  --resume           re-run only the steps of the run that did not succeed, reading what the
                     others staged; an extract whose files or S3 objects changed since they were
                     staged (size, modification time, ETag) runs again too, with the steps after
                     it. A database or API source cannot tell: its staged copy is reused (a fresh
                     run, or --step ID for it and the steps after it, reads it again)
  --ds YYYY-MM-DD    logical date for {{ ds }} and {{ ds_nodash }} (default: today, UTC, or the
                     date of --ts); {{ ts }} is its midnight unless --ts says otherwise
  --ts TIMESTAMP     logical date and time for {{ ts }} and {{ ts_nodash }}, as Airflow writes
                     them: 2024-01-31T05:00:00+00:00 (default: --ds at midnight, else now)
  --param K=V        set {{ params.K }} (repeatable; overrides the file's params; K must be
                     declared in params or used by a template)
  --concurrency N    most steps running at once (default: the number of CPUs)
  --dry-run          print the plan and touch no data
  --events FILE      write one JSON event per line (run_started, step_started, step_progress,
                     step_retry, check_passed, check_failed, step_succeeded, step_anomaly,
                     step_failed, run_finished)
  --skip-checks      do not run the steps' \`checks:\` (emergencies only: the summary says the
                     data was not checked)

Backfill (one run per logical date, {{ ds }} and {{ ts }} set to each one):
  --from YYYY-MM-DD  the first day (its 00:00 UTC is the first run's {{ ts }})
  --to YYYY-MM-DD    the last day (inclusive, up to its last hour); each day runs as run
                     <pipeline>__backfill_<ds>
  --every DURATION   one run every N hours or days: 1d (the default), 1h, 6h, 7d; with hours,
                     each run is <pipeline>__backfill_<ds>T<HHMM>
  --concurrency N    with --from/--to: how many runs at once (default 1: in time order)
  --resume           with --from/--to: re-run only the runs that failed or are missing

Every run is recorded in the run history (agent-etl runs FILE); AGENT_ETL_TRIGGER (cli, editor,
airflow, mcp, backfill; default cli) says what started it.

Ctrl-C or SIGTERM stops the steps (loads roll back) and records the run as failed.

Exit codes: 0 success, 1 the pipeline failed or has errors, 2 bad usage, 143 stopped by SIGTERM.`,
  options: {
    step: { type: "string", multiple: true },
    "run-id": { type: "string" },
    resume: { type: "boolean" },
    ds: { type: "string" },
    ts: { type: "string" },
    param: { type: "string", multiple: true },
    concurrency: { type: "string" },
    "dry-run": { type: "boolean" },
    events: { type: "string" },
    "skip-checks": { type: "boolean" },
    from: { type: "string" },
    to: { type: "string" },
    every: { type: "string" },
  },
  rules: [
    { flag: "resume", conflicts: ["step"], why: "--step runs the steps named, --resume the steps of the run that did not succeed; give one of them" },
    { flag: "from", needs: "to", why: "a backfill runs every day from --from to --to" },
    { flag: "to", needs: "from", why: "a backfill runs every day from --from to --to" },
    { flag: "from", conflicts: ["ds", "ts", "run-id", "step", "events"], why: "a backfill sets each run's logical date and run id itself and runs every step (and writes no --events file)" },
    { flag: "every", needs: "from", why: "--every says how often a backfill from --from to --to runs" },
  ],
  schema,
  run: execute,
});
