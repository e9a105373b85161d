/** One step under its policy: attempts, retries, progress events, state updates. */
import { stepKind, type Step } from "../pipeline/model";
import type { CheckOutcome } from "./checks/stepChecks";
import type { RunContext } from "./context";
import { describeFailure } from "./failure";
import type { EventBus } from "./events";
import { resolvePolicy } from "./policy";
import { withRetries } from "./retry";
import type { RunStateWriter } from "./state";
import type { QuarantineReport } from "./quarantine";
import { executeStep, type LiveIo, type SchemaChange, type StepOutcome } from "./steps";

/** Least time between two `step_progress` events of one step. */
export const PROGRESS_INTERVAL_MS = 500;

export interface StepRunDeps {
  bus: EventBus;
  state: RunStateWriter;
  signal?: AbortSignal;
}

export type Progress = ReturnType<typeof progressTracker>;

/**
 * Rows and rates of a step's attempt. `quiet`: an attempt that started before its step officially
 * did (it streams from its upstream): its rows go to the terminal view only (`step_streaming`)
 * until `speak`, which also reports the rows so far, so the step's first `step_progress` comes
 * right after its `step_started`.
 */
export function progressTracker(bus: EventBus, id: string, quiet = false) {
  let rows = 0;
  let started = performance.now();
  // When the first rows came: a step streaming from its upstream is launched with it, and the time
  // before its first rows is its upstream's (e.g. a slow API's first page), not its own.
  let firstRowsAt: number | undefined;
  let last = 0;
  const report = (now: number) => {
    last = now;
    const elapsed = now - (firstRowsAt ?? started);
    const fields = { step: id, rows, rows_per_second: Math.round(rows / Math.max(elapsed / 1000, 0.001)), elapsed_ms: Math.round(elapsed) };
    if (quiet) bus.tell({ event: "step_streaming", ...fields });
    else bus.emit({ event: "step_progress", ...fields });
  };
  return {
    /** When this attempt began counting (`performance.now()`). */
    get startedAt(): number {
      return started;
    },
    /** When this attempt's first rows came (`performance.now()`), if any came yet. */
    get firstRowsAt(): number | undefined {
      return firstRowsAt;
    },
    speak() {
      quiet = false;
      if (rows > 0) report(performance.now());
    },
    reset() {
      rows = 0;
      started = performance.now();
      firstRowsAt = undefined;
      last = 0;
    },
    add(n: number) {
      rows += n;
      const now = performance.now();
      firstRowsAt ??= now;
      if (now - last >= PROGRESS_INTERVAL_MS) report(now);
    },
    /** A check's verdict, as an event (logEvents.ts logs it). */
    checked(o: CheckOutcome) {
      if (o.passed) {
        bus.emit({ event: "check_passed", step: o.step, index: o.index, check: o.check, kind: o.kind, severity: o.severity, rows: o.rows });
        return;
      }
      bus.emit({ event: "check_failed", step: o.step, index: o.index, check: o.check, kind: o.kind, severity: o.severity, rows: o.rows, failed: o.failed, message: o.message, samples: o.samples });
    },
    /** A load's schema change, as an event (logged at warn: the table's shape changed, or columns were left out). */
    schemaChanged(c: SchemaChange) {
      bus.emit({ event: "schema_changed", step: c.step, table: c.table, policy: c.policy, changes: c.changes });
    },
    /** What a transform's or extract's quarantine left out (logged at warn when it left out any). */
    rejected(r: QuarantineReport) {
      bus.emit({ event: "rows_rejected", step: r.step, rows: r.rows, rejected: r.rejected, max_rejected: r.max_rejected, file: r.file });
    },
    /** What the step is doing now that its rows are all read (the terminal view shows it). */
    phase(note: string) {
      bus.tell({ event: "step_phase", step: id, note });
    },
  };
}

/** A step that streams with its neighbours (`live/liveRuns.ts`). */
export interface LiveStep {
  /** Attempt 1 also hands its output to the downstream consumer; a failed attempt 1 fails the tee. */
  tee?: LiveIo["tee"] & { fail(error: unknown): void };
  /** Attempt 1, already running on live input since before this official start, and its progress. */
  first?: { attempt: Promise<StepOutcome>; progress: Progress; /** Called once the step has officially started. */ started: () => void };
}

/** Runs step `id`; resolves true when it succeeded. Never throws. */
export async function runStep(ctx: RunContext, id: string, deps: StepRunDeps, live: LiveStep = {}): Promise<boolean> {
  const step = ctx.steps.get(id);
  if (!step) return false;
  const { bus, state } = deps;
  const policy = resolvePolicy(ctx.pipeline, step);
  const progress = live.first?.progress ?? progressTracker(bus, id, false);
  // A step that streamed from its upstream has been working since its first rows came: its time
  // (and rows/s) counts from then, not from when the scheduler reached it, nor from when it was
  // launched beside its upstream (waiting for the upstream's first rows is not its work).
  const officially = performance.now();
  const first = live.first ? progress.firstRowsAt : undefined;
  const started = first !== undefined ? Math.min(first, officially) : officially;
  const tee = live.tee;
  let attempts = live.first ? 1 : 0;
  await state.step(id, { status: "running", started_at: new Date(Date.now() - (performance.now() - started)).toISOString(), rows: 0, attempts: 0 });
  bus.emit({ event: "step_started", step: id, kind: stepKind(ctx.steps.get(id) as Step), attempt: 1 });
  progress.speak();
  live.first?.started();
  try {
    const { value } = await withRetries<StepOutcome>(
      (signal, attempt) => {
        attempts = attempt;
        progress.reset();
        if (attempt !== 1 || !tee) return executeStep(ctx, step, signal, progress);
        return executeStep(ctx, step, signal, progress, { tee }).catch((err: unknown) => {
          tee.fail(err);
          throw err;
        });
      },
      policy,
      {
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(live.first ? { first: live.first.attempt } : {}),
        onRetry: ({ attempt, delayMs, error }) => {
          const f = describeFailure(error, ctx.secrets);
          bus.emit({ event: "step_retry", step: id, attempt: attempt + 1, delay_ms: delayMs, code: f.code, error: f.message });
        },
      },
    );
    const duration = Math.round(performance.now() - started);
    await state.step(id, { status: "succeeded", rows: value.rows, attempts, finished_at: new Date().toISOString(), duration_ms: duration, ...(value.highWater !== undefined ? { high_water: value.highWater } : {}), ...(value.highWaterFrom !== undefined ? { high_water_from: value.highWaterFrom } : {}), ...(value.source ? { source: value.source } : {}) });
    bus.emit({ event: "step_succeeded", step: id, rows: value.rows, duration_ms: duration, attempts });
    return true;
  } catch (err: unknown) {
    const f = describeFailure(err, ctx.secrets);
    const duration = Math.round(performance.now() - started);
    await state.step(id, { status: "failed", attempts, finished_at: new Date().toISOString(), duration_ms: duration, error: f.message, code: f.code });
    bus.emit({ event: "step_failed", step: id, code: f.code, error: f.message, attempts, duration_ms: duration, transient: f.transient });
    return false;
  }
}
