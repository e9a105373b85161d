/**
 * Backfills (`agent-etl run FILE --from D1 --to D2`): one run per logical date, each under its own
 * run id (`<pipeline>__backfill_<ds>`), in date order or several at once, in one process so the
 * start-up and the connectors' pools are paid once. `--resume` re-runs only the days whose run
 * failed or is missing: a failed day resumes its own run (its succeeded steps are kept).
 */
import { dirname, resolve } from "node:path";
import { EtlError } from "../errors";
import { closeConnectors } from "../sources";
import { resolveConnections } from "../env/resolve";
import { EventBus } from "./events";
import { prepareRun, runPipeline, type RunOptions, type RunReport } from "./runPipeline";
import { openStaging } from "./staging";
import { loadState } from "./state";

/** Most days one backfill runs (about 27 years): a longer range is more likely a typo. */
export const MAX_BACKFILL_DAYS = 10_000;

const DAY_MS = 86_400_000;

/** Every day from `from` to `to` (both `YYYY-MM-DD`, inclusive). */
export function backfillDays(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const days: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export const backfillRunId = (pipeline: string, ds: string) => `${pipeline}__backfill_${ds}`;

export interface BackfillDay {
  ds: string;
  runId: string;
  /** `skipped`: `--resume` found the day's run succeeded already. */
  status: "succeeded" | "failed" | "skipped";
  /** Rows the day's loads wrote. */
  rows: number;
  durationMs: number;
  /** Why the day failed: its first failed step and the error, or what stopped the run before its steps. */
  error?: string;
}

export interface BackfillOptions {
  /** The options each day's run shares; `runId`, `ds`, `resume` and `bus` are set per day. */
  base: Omit<RunOptions, "runId" | "ds" | "resume" | "bus">;
  days: readonly string[];
  /** How many days run at once. */
  parallel: number;
  resume: boolean;
  /** Told when a day starts and when it ends (the progress view). */
  onStart?(ds: string): void;
  onDay?(day: BackfillDay): void;
}

/** What `--resume` does with each day: skip it (succeeded), resume its run (failed), or start it (missing). */
async function dayPlans(opts: BackfillOptions): Promise<Map<string, "skip" | "resume" | "fresh">> {
  const plans = new Map<string, "skip" | "resume" | "fresh">();
  if (!opts.resume) {
    for (const ds of opts.days) plans.set(ds, "fresh");
    return plans;
  }
  const { pipeline, env, file } = opts.base;
  const baseDir = dirname(resolve(file));
  const names = pipeline.staging ? [pipeline.staging.connection] : [];
  const forStaging = resolveConnections(pipeline.connections, env, baseDir, names);
  const store = await openStaging(pipeline, baseDir, forStaging.connections, forStaging.secrets);
  for (const ds of opts.days) {
    const state = await loadState(store, backfillRunId(pipeline.name, ds)).catch(() => undefined);
    plans.set(ds, state === undefined ? "fresh" : state.status === "succeeded" ? "skip" : "resume");
  }
  return plans;
}

function failureOf(report: RunReport): string | undefined {
  const failed = report.steps.find((s) => s.state.status === "failed");
  return failed ? `step ${failed.id}: ${failed.state.error ?? "failed"}` : undefined;
}

async function runDay(opts: BackfillOptions, ds: string, plan: "resume" | "fresh"): Promise<BackfillDay> {
  const runId = backfillRunId(opts.base.pipeline.name, ds);
  const started = performance.now();
  const bus = new EventBus(() => runId);
  const run: RunOptions = { ...opts.base, runId, ds, resume: plan === "resume", bus, keepConnectors: true, trigger: "backfill" };
  try {
    const report = await runPipeline(run, await prepareRun(run));
    const rows = report.loaded.reduce((n, l) => n + l.rows, 0);
    const error = failureOf(report);
    return { ds, runId, status: report.status, rows, durationMs: report.durationMs, ...(error !== undefined ? { error } : {}) };
  } catch (err: unknown) {
    if (!(err instanceof EtlError)) throw err;
    return { ds, runId, status: "failed", rows: 0, durationMs: Math.round(performance.now() - started), error: err.message };
  } finally {
    bus.close();
  }
}

/** Runs the days, `parallel` at a time, each starting in date order; returns them in date order. */
export async function runBackfill(opts: BackfillOptions): Promise<BackfillDay[]> {
  const plans = await dayPlans(opts);
  const results = new Map<string, BackfillDay>();
  let next = 0;
  const worker = async () => {
    while (next < opts.days.length) {
      const ds = opts.days[next++] as string;
      if (opts.base.signal?.aborted) return;
      const plan = plans.get(ds) ?? "fresh";
      if (plan === "skip") {
        const day: BackfillDay = { ds, runId: backfillRunId(opts.base.pipeline.name, ds), status: "skipped", rows: 0, durationMs: 0 };
        results.set(ds, day);
        opts.onDay?.(day);
        continue;
      }
      opts.onStart?.(ds);
      const day = await runDay(opts, ds, plan);
      results.set(ds, day);
      opts.onDay?.(day);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, opts.days.length)) }, worker));
  } finally {
    await closeConnectors();
  }
  return opts.days.map((ds) => results.get(ds)).filter((d): d is BackfillDay => d !== undefined);
}
