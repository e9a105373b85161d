/**
 * Backfills (`agent-etl run FILE --from D1 --to D2 [--every 1h]`): one run per logical date (or
 * per hour, every N hours or days), each under its own run id (`<pipeline>__backfill_<ds>`, or
 * `…_<ds>T<HHMM>` for chunks shorter than a day), in order or several at once, in one process so
 * the start-up and the connectors' pools are paid once. `--resume` re-runs only the chunks whose run
 * failed or is missing: a failed chunk resumes its own run (its succeeded steps are kept).
 */
import { dirname, resolve } from "node:path";
import { EtlError } from "../errors";
import { airflowTs } from "../pipeline/templates";
import { closeConnectors } from "../sources";
import { resolveConnections } from "../env/resolve";
import { EventBus } from "./events";
import { prepareRun, runPipeline, type RunOptions, type RunReport } from "./runPipeline";
import { openStaging } from "./staging";
import { loadState } from "./state";

/** Most runs one backfill makes (10,000 days is about 27 years): a longer range is more likely a typo. */
export const MAX_BACKFILL_RUNS = 10_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** `--every`: a whole number of hours or days, e.g. `1h`, `6h`, `1d`, `7d`. */
export const EVERY_PATTERN = /^([1-9][0-9]{0,5})(h|d)$/;

/** The length of an `--every` value in ms, or undefined when it is not one. */
export function everyMs(every: string): number | undefined {
  const m = EVERY_PATTERN.exec(every);
  return m ? Number(m[1]) * (m[2] === "d" ? DAY_MS : HOUR_MS) : undefined;
}

/** One run of a backfill: its logical date and time, and the run id suffix naming it. */
export interface BackfillChunk {
  ds: string;
  /** `{{ ts }}` of the run: the chunk's start, `2024-01-31T05:00:00+00:00`. */
  ts: string;
  /** `2024-01-31` for chunks of whole days, else `2024-01-31T0500` (no `:`, so it names a file on every system). */
  label: string;
}

/** The chunks from `from` 00:00 up to the end of `to` (both `YYYY-MM-DD`, UTC), one every `stepMs`. */
export function backfillChunks(from: string, to: string, stepMs = DAY_MS): BackfillChunk[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  const chunks: BackfillChunk[] = [];
  for (let t = start; t < end; t += stepMs) {
    const ts = airflowTs(new Date(t));
    const ds = ts.slice(0, 10);
    chunks.push({ ds, ts, label: stepMs % DAY_MS === 0 ? ds : `${ds}T${ts.slice(11, 13)}${ts.slice(14, 16)}` });
  }
  return chunks;
}

/** How many chunks `backfillChunks` would give, without making them (a range can be huge by mistake). */
export function backfillChunkCount(from: string, to: string, stepMs = DAY_MS): number {
  return Math.ceil((Date.parse(`${to}T00:00:00Z`) + DAY_MS - Date.parse(`${from}T00:00:00Z`)) / stepMs);
}

export const backfillRunId = (pipeline: string, chunk: Pick<BackfillChunk, "label">) => `${pipeline}__backfill_${chunk.label}`;

export interface BackfillRun extends BackfillChunk {
  runId: string;
  /** `skipped`: `--resume` found the chunk's run succeeded already. */
  status: "succeeded" | "failed" | "skipped";
  /** Rows the run's loads wrote. */
  rows: number;
  durationMs: number;
  /** Why the run failed: its first failed step and the error, or what stopped the run before its steps. */
  error?: string;
}

export interface BackfillOptions {
  /** The options each chunk's run shares; `runId`, `ds`, `ts`, `resume` and `bus` are set per chunk. */
  base: Omit<RunOptions, "runId" | "ds" | "ts" | "resume" | "bus">;
  chunks: readonly BackfillChunk[];
  /** How many chunks run at once. */
  parallel: number;
  resume: boolean;
  /** Told when a chunk starts and when it ends (the progress view). */
  onStart?(chunk: BackfillChunk): void;
  onRun?(run: BackfillRun): void;
}

type Plan = "skip" | "resume" | "fresh";

/** What `--resume` does with each chunk (by label): skip it (succeeded), resume its run (failed), or start it (missing). */
async function chunkPlans(opts: BackfillOptions): Promise<Map<string, Plan>> {
  const plans = new Map<string, Plan>();
  if (!opts.resume) {
    for (const chunk of opts.chunks) plans.set(chunk.label, "fresh");
    return plans;
  }
  const { pipeline, env, file } = opts.base;
  const baseDir = dirname(resolve(file));
  const names = pipeline.staging ? [pipeline.staging.connection] : [];
  const forStaging = resolveConnections(pipeline.connections, env, baseDir, names);
  const store = await openStaging(pipeline, baseDir, forStaging.connections, forStaging.secrets);
  for (const chunk of opts.chunks) {
    const state = await loadState(store, backfillRunId(pipeline.name, chunk)).catch(() => undefined);
    plans.set(chunk.label, state === undefined ? "fresh" : state.status === "succeeded" ? "skip" : "resume");
  }
  return plans;
}

function failureOf(report: RunReport): string | undefined {
  const failed = report.steps.find((s) => s.state.status === "failed");
  return failed ? `step ${failed.id}: ${failed.state.error ?? "failed"}` : undefined;
}

async function runChunk(opts: BackfillOptions, chunk: BackfillChunk, plan: "resume" | "fresh"): Promise<BackfillRun> {
  const runId = backfillRunId(opts.base.pipeline.name, chunk);
  const started = performance.now();
  const bus = new EventBus(() => runId);
  const run: RunOptions = { ...opts.base, runId, ds: chunk.ds, ts: chunk.ts, resume: plan === "resume", bus, keepConnectors: true, trigger: "backfill" };
  try {
    const report = await runPipeline(run, await prepareRun(run));
    const rows = report.loaded.reduce((n, l) => n + l.rows, 0);
    const error = failureOf(report);
    return { ...chunk, runId, status: report.status, rows, durationMs: report.durationMs, ...(error !== undefined ? { error } : {}) };
  } catch (err: unknown) {
    if (!(err instanceof EtlError)) throw err;
    return { ...chunk, runId, status: "failed", rows: 0, durationMs: Math.round(performance.now() - started), error: err.message };
  } finally {
    bus.close();
  }
}

/** Runs the chunks, `parallel` at a time, each starting in time order; returns them in time order. */
export async function runBackfill(opts: BackfillOptions): Promise<BackfillRun[]> {
  const plans = await chunkPlans(opts);
  const results = new Map<string, BackfillRun>();
  let next = 0;
  const worker = async () => {
    while (next < opts.chunks.length) {
      const chunk = opts.chunks[next++] as BackfillChunk;
      if (opts.base.signal?.aborted) return;
      const plan = plans.get(chunk.label) ?? "fresh";
      if (plan === "skip") {
        const skipped: BackfillRun = { ...chunk, runId: backfillRunId(opts.base.pipeline.name, chunk), status: "skipped", rows: 0, durationMs: 0 };
        results.set(chunk.label, skipped);
        opts.onRun?.(skipped);
        continue;
      }
      opts.onStart?.(chunk);
      const run = await runChunk(opts, chunk, plan);
      results.set(chunk.label, run);
      opts.onRun?.(run);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, opts.chunks.length)) }, worker));
  } finally {
    await closeConnectors();
  }
  return opts.chunks.map((c) => results.get(c.label)).filter((r): r is BackfillRun => r !== undefined);
}
