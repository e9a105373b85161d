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
import { backfillDays, backfillRunId, MAX_BACKFILL_DAYS, runBackfill, type BackfillDay } from "../../runner/backfill";

/** The pattern lets `2024-02-30` through; a logical date must name a real day. */
function isCalendarDate(ds: string): boolean {
  const [year, month, day] = ds.split("-").map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const calendarDate = () =>
  z.string().regex(new RegExp(DATE_PATTERN), "use a date like 2024-01-31").refine(isCalendarDate, { error: (issue) => `${String(issue.input)} is not a day of the calendar; use a date like 2024-01-31` });

const schema = z.object({
  positionals: z.array(z.string()).length(1, "give exactly one pipeline file"),
  step: z.array(z.string()).default([]),
  "run-id": z.string().optional(),
  resume: z.boolean().default(false),
  ds: calendarDate().optional(),
  param: z.array(z.string()).default([]),
  concurrency: z.coerce.number({ error: "give a whole number of steps, e.g. 4" }).int("give a whole number of steps, e.g. 4").min(1, "give at least 1").max(256, "give at most 256").optional(),
  "dry-run": z.boolean().default(false),
  events: z.string().optional(),
  "skip-checks": z.boolean().default(false),
  from: calendarDate().optional(),
  to: calendarDate().optional(),
}).superRefine((args, ctx) => {
  if (args.from === undefined || args.to === undefined) return;
  if (args.from > args.to) ctx.addIssue({ code: "custom", path: ["to"], message: `${args.to} is before --from ${args.from}; give the first day with --from and the last with --to` });
  else if (backfillDays(args.from, args.to).length > MAX_BACKFILL_DAYS) ctx.addIssue({ code: "custom", path: ["to"], message: `${args.from} … ${args.to} is more than ${MAX_BACKFILL_DAYS.toLocaleString("en-US")} days; backfill a shorter range` });
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

/** `--from … --to …`: one run per day (runner/backfill.ts), one line per day as it ends, one summary. */
async function backfill(args: Args, io: Io, shared: Pick<RunOptions, "file" | "pipeline" | "dag" | "env">): Promise<number> {
  const days = backfillDays(args.from as string, args.to as string);
  const parallel = args.concurrency ?? 1;
  if (args["dry-run"]) {
    io.stdout(`backfill of ${shared.pipeline.name}: ${days.length} day${days.length === 1 ? "" : "s"}, ${parallel} at a time\n${days.map((ds) => `  ${ds}  run ${backfillRunId(shared.pipeline.name, ds)}`).join("\n")}`);
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
      days,
      parallel,
      resume: args.resume,
      onDay: (day) => {
        done++;
        const mark = day.status === "succeeded" ? "✓" : day.status === "skipped" ? "·" : "✗";
        const what = day.status === "skipped" ? "already succeeded" : `${day.rows.toLocaleString("en-US")} rows loaded  ${(day.durationMs / 1000).toFixed(1)} s${day.error !== undefined ? `  ${day.error}` : ""}`;
        io.stdout(`[${done}/${days.length}] ${mark} ${day.ds}  ${what}`);
      },
    });
    io.stdout(`\n${backfillSummary(results, days, performance.now() - started, shared.file, args)}`);
    return results.length === days.length && results.every((d) => d.status !== "failed") ? 0 : terminated ? 143 : 1;
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}

function backfillSummary(results: readonly BackfillDay[], days: readonly string[], ms: number, file: string, args: Args): string {
  const count = (s: BackfillDay["status"]) => results.filter((d) => d.status === s).length;
  const failed = results.filter((d) => d.status === "failed").map((d) => d.ds);
  const missing = days.length - results.length;
  const rows = results.reduce((n, d) => n + d.rows, 0);
  const lines = [`backfill ${days[0]} … ${days[days.length - 1]}: ${count("succeeded")} succeeded, ${failed.length} failed, ${count("skipped")} already succeeded${missing > 0 ? `, ${missing} not run` : ""}; ${rows.toLocaleString("en-US")} rows loaded in ${(ms / 1000).toFixed(1)} s`];
  if (failed.length > 0) lines.push(`failed: ${failed.join(", ")}`);
  if (failed.length > 0 || missing > 0) lines.push(`continue with: agent-etl run ${file} --from ${args.from} --to ${args.to} --resume (re-runs only the failed and missing days)`);
  return lines.join("\n");
}

export const runCommand = defineCommand({
  name: "run",
  summary: "run a pipeline, or some of its steps",
  usage: "agent-etl run FILE [--step ID]… [--run-id ID] [--resume] [--ds YYYY-MM-DD] [--param K=V]… [--concurrency N] [--dry-run] [--events FILE] [--skip-checks]\n       agent-etl run FILE --from YYYY-MM-DD --to YYYY-MM-DD [--concurrency N] [--resume] [--param K=V]… [--dry-run] [--skip-checks]",
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
  --ds YYYY-MM-DD    logical date for {{ ds }} and {{ ds_nodash }} (default: today, UTC)
  --param K=V        set {{ params.K }} (repeatable; overrides the file's params; K must be
                     declared in params or used by a template)
  --concurrency N    most steps running at once (default: the number of CPUs)
  --dry-run          print the plan and touch no data
  --events FILE      write one JSON event per line (run_started, step_started, step_progress,
                     step_retry, check_passed, check_failed, step_succeeded, step_anomaly,
                     step_failed, run_finished)
  --skip-checks      do not run the steps' \`checks:\` (emergencies only: the summary says the
                     data was not checked)

Backfill (one run per logical date, {{ ds }} set to each day):
  --from YYYY-MM-DD  the first day
  --to YYYY-MM-DD    the last day (inclusive); each day runs as run <pipeline>__backfill_<ds>
  --concurrency N    with --from/--to: how many days run at once (default 1: in date order)
  --resume           with --from/--to: re-run only the days whose run failed or is missing

Every run is recorded in the run history (agent-etl runs FILE); AGENT_ETL_TRIGGER (cli, editor,
airflow, mcp, backfill; default cli) says what started it.

Ctrl-C or SIGTERM stops the steps (loads roll back) and records the run as failed.

Exit codes: 0 success, 1 the pipeline failed or has errors, 2 bad usage, 143 stopped by SIGTERM.`,
  options: {
    step: { type: "string", multiple: true },
    "run-id": { type: "string" },
    resume: { type: "boolean" },
    ds: { type: "string" },
    param: { type: "string", multiple: true },
    concurrency: { type: "string" },
    "dry-run": { type: "boolean" },
    events: { type: "string" },
    "skip-checks": { type: "boolean" },
    from: { type: "string" },
    to: { type: "string" },
  },
  rules: [
    { flag: "resume", conflicts: ["step"], why: "--step runs the steps named, --resume the steps of the run that did not succeed; give one of them" },
    { flag: "from", needs: "to", why: "a backfill runs every day from --from to --to" },
    { flag: "to", needs: "from", why: "a backfill runs every day from --from to --to" },
    { flag: "from", conflicts: ["ds", "run-id", "step", "events"], why: "a backfill sets each day's logical date and run id itself and runs every step (and writes no --events file)" },
  ],
  schema,
  run: execute,
});
