/**
 * `agent-etl run` without the terminal: resolves secrets, opens staging, picks the run and the
 * steps, schedules them over the DAG and records state and events. Returns a report; throws only
 * for problems found before any step started (missing secret, bad run id, unknown template).
 */
import { dirname, resolve } from "node:path";
import type { Logger } from "pino";
import { UsageError } from "../errors";
import type { Dag } from "../dag/graph";
import type { Pipeline } from "../pipeline/model";
import { closeConnectors } from "../sources";
import { connectionOf, type RunContext } from "./context";
import type { EventBus, LoadedTarget } from "./events";
import { commitHighWater, ownCommittedMarks, recordOwnCommit, rerunAfterLoadMessage, rerunsAfterLoad, staleIncrementalSteps, staleResumeMessage } from "./incremental";
import { loadTarget } from "./plan";
import { levelsFor, runLevels } from "./scheduler";
import { resolveConnections } from "../env/resolve";
import { checkParams, checkTemplates, chooseRun, logicalInstant, parseParams, selectSteps, templateValues } from "./setup";
import { resumeSelection } from "./sourceChanges";
import { openStaging } from "./staging";
import { stateKey, RunStateWriter, type RunState, type RunStatus, type StepState, type StepStatus } from "./state";
import { scrubbingLogger } from "./safeLogger";
import { LiveRuns, planLive } from "./live/liveRuns";
import { logListener } from "./logEvents";
import { RunWatch } from "./history/runWatch";
import type { Anomaly, Trigger } from "./history/recordSchema";

export interface RunOptions {
  file: string;
  pipeline: Pipeline;
  dag: Dag;
  env: ReadonlyMap<string, string>;
  steps: readonly string[];
  runId?: string;
  resume: boolean;
  ds?: string;
  /** The logical date and time for `{{ ts }}` (`--ts`, a backfill's chunk); see logicalInstant. */
  ts?: string;
  params: readonly string[];
  concurrency: number;
  bus: EventBus;
  logger: Logger;
  /**
   * Where the run's story (its events as log lines, logEvents.ts) is written; default `logger`. On a
   * terminal the live view and the summary tell it already, so the CLI passes a quieter one there.
   */
  storyLogger?: Logger;
  signal?: AbortSignal;
  /** `--skip-checks`: run without the steps' `checks:`. */
  skipChecks?: boolean;
  /** What started the run, for the history (default `cli`). */
  trigger?: Trigger;
  /** Leave the connectors open at the end (a backfill runs several days in one process and closes them once). */
  keepConnectors?: boolean;
}

export interface RunReport {
  runId: string;
  /** This invocation: whether the steps it ran all succeeded. */
  status: "succeeded" | "failed";
  /** Steps this run executed or skipped, in pipeline order. */
  steps: { id: string; state: StepState }[];
  /**
   * The whole run as recorded in its state, including steps other invocations ran (`--step`,
   * `--resume`); `versioned`: the extracts whose source version was recorded, which `--resume`
   * checks for changes (sourceChanges.ts).
   */
  run: { status: RunStatus; steps: Record<string, StepStatus>; versioned: string[] };
  durationMs: number;
  staging: string;
  stateKey: string;
  /** What the loads of this invocation wrote: the run's result, where a sum over steps counts each row once per step. */
  loaded: LoadedTarget[];
  /** Steps of this run whose `checks:` were skipped (`--skip-checks`). */
  checksSkipped: string[];
  /** The messages of `severity: warn` checks that failed (the run went on). */
  checkWarnings: string[];
  /** Steps whose rows or duration were far from usual (runner/history/anomaly.ts). */
  anomalies: Anomaly[];
  /** What the loads' `on_schema_change: evolve | ignore` changed or left out, one line each (`step → table: change`). */
  schemaChanges: string[];
  /** Transform and extract steps' quarantined records: step, how many, where. */
  rejected: string[];
}

function stagingNames(pipeline: Pipeline): string[] {
  return pipeline.staging ? [pipeline.staging.connection] : [];
}

function initialState(ctx: { pipeline: Pipeline; file: string; runId: string; templates: RunContext["templates"] }, previous?: RunState): RunState {
  const steps = Object.fromEntries(ctx.pipeline.steps.map((s) => [s.id, previous?.steps[s.id] ?? { status: "pending" as const }]));
  const state: RunState = { version: 1, pipeline: ctx.pipeline.name, file: ctx.file, run_id: ctx.runId, ds: ctx.templates.ds, ts: ctx.templates.ts, params: ctx.templates.params, status: "running", started_at: previous?.started_at ?? new Date().toISOString(), steps };
  const committed = previous && ownCommittedMarks(previous);
  if (committed) recordOwnCommit(state, committed);
  return state;
}

/** Prepares everything that can fail before a step starts. */
export async function prepareRun(opts: RunOptions): Promise<{ ctx: RunContext; selected: string[]; previous?: RunState }> {
  const baseDir = dirname(resolve(opts.file));
  const cliParams = parseParams(opts.params);
  checkParams(opts.pipeline, cliParams);
  const forStaging = resolveConnections(opts.pipeline.connections, opts.env, baseDir, stagingNames(opts.pipeline));
  const store = await openStaging(opts.pipeline, baseDir, forStaging.connections, forStaging.secrets);
  const choice = await chooseRun(store, opts.pipeline.name, { ...(opts.runId !== undefined ? { runId: opts.runId } : {}), resume: opts.resume, steps: opts.steps });
  const at = logicalInstant({ ...(opts.ds !== undefined ? { ds: opts.ds } : {}), ...(opts.ts !== undefined ? { ts: opts.ts } : {}) }, choice.previous);
  const templates = templateValues(opts.pipeline, choice.runId, at, cliParams, choice.previous);
  let selected = selectSteps(opts.pipeline, { steps: opts.steps, resume: opts.resume }, choice.previous);
  // With --step the user chose the steps; a changed source is for them to re-run.
  if (choice.previous && opts.resume && opts.steps.length === 0) {
    const check = { pipeline: opts.pipeline, dag: opts.dag, file: opts.file, runId: choice.runId, previous: choice.previous, selected, env: opts.env, baseDir, templates };
    selected = await resumeSelection({ ...check, logger: opts.logger.child({ runId: choice.runId }), ...(opts.signal ? { signal: opts.signal } : {}) });
  }
  if (choice.previous && (opts.resume || opts.steps.length > 0)) {
    // Reusing an earlier run's staged extract after another run committed a newer mark would load
    // the same rows twice.
    const stale = await staleIncrementalSteps(store, choice.previous, { steps: opts.pipeline.steps, rerun: selected });
    if (stale.length > 0) throw new UsageError(staleResumeMessage(choice.previous, stale));
    // Re-extracting past the mark after the run's load succeeded would commit rows never loaded.
    const loaded = rerunsAfterLoad(opts.pipeline.steps, choice.previous, selected);
    if (loaded.length > 0) throw new UsageError(rerunAfterLoadMessage(choice.previous, loaded));
  }
  const steps = new Map(opts.pipeline.steps.map((s) => [s.id, s]));
  checkTemplates(selected.map((id) => steps.get(id)).filter((s) => s !== undefined), templates);
  const used = new Set(selected.map((id) => connectionOf(steps.get(id) as never)).filter((n): n is string => n !== undefined));
  const resolved = resolveConnections(opts.pipeline.connections, opts.env, baseDir, [...used, ...stagingNames(opts.pipeline)]);
  const secrets = [...new Set([...resolved.secrets, ...forStaging.secrets])];
  const logger = scrubbingLogger(opts.logger.child({ runId: choice.runId }), secrets);
  const ctx: RunContext = { pipeline: opts.pipeline, file: opts.file, baseDir, runId: choice.runId, templates, connections: resolved.connections, secrets, store, logger, steps, ...(opts.skipChecks ? { skipChecks: true } : {}) };
  return { ctx, selected, ...(choice.previous ? { previous: choice.previous } : {}) };
}

export async function runPipeline(opts: RunOptions, prepared?: Awaited<ReturnType<typeof prepareRun>>): Promise<RunReport> {
  const { ctx, selected, previous } = prepared ?? (await prepareRun(opts));
  const started = performance.now();
  const state = new RunStateWriter(ctx.store, initialState(ctx, previous));
  const levels = levelsFor(opts.dag.levels, selected);
  const checksSkipped = ctx.skipChecks ? selected.filter((id) => ctx.steps.get(id)?.checks !== undefined) : [];
  const checkWarnings: string[] = [];
  const schemaChanges: string[] = [];
  const rejected: string[] = [];
  opts.bus.on(logListener(opts.storyLogger ? scrubbingLogger(opts.storyLogger.child({ runId: ctx.runId }), ctx.secrets) : ctx.logger));
  opts.bus.on((e) => {
    if (e.event === "check_failed" && e.severity === "warn") checkWarnings.push(e.message);
    if (e.event === "rows_rejected" && e.rejected > 0) rejected.push(`${e.step}: ${e.rejected} of ${e.rows} records rejected (max_rejected ${e.max_rejected}) → ${e.file}`);
    if (e.event === "schema_changed") schemaChanges.push(...e.changes.map((c) => `${e.step} → ${e.table} (on_schema_change: ${e.policy}): ${c}`));
  });
  if (checksSkipped.length > 0) ctx.logger.warn({ steps: checksSkipped }, "--skip-checks: the checks of these steps are not run");
  opts.bus.emit({ event: "run_started", pipeline: ctx.pipeline.name, file: ctx.file, ds: ctx.templates.ds, steps: selected, resume: opts.resume, concurrency: opts.concurrency, staging: ctx.store.describe() });
  await state.save();
  const watch = await RunWatch.start(ctx, state.state, { trigger: opts.trigger ?? "cli", env: opts.env, bus: opts.bus, selected });
  let result;
  const live = new LiveRuns(ctx, { bus: opts.bus, state, ...(opts.signal ? { signal: opts.signal } : {}) }, planLive(ctx, selected));
  try {
    result = await runLevels(levels, opts.concurrency, async (id) => (await live.run(id)) && (await watch.afterStep(id, state)));
  } finally {
    await live.settle();
    if (!opts.keepConnectors) await closeConnectors();
  }
  for (const id of result.notStarted) await state.step(id, { status: "skipped" });
  await state.finish(result.failed);
  const committed = result.failed ? undefined : await commitHighWater(ctx.store, state.state);
  if (committed) {
    // Kept in the run's state so a later retry of one of its steps knows the commit was its own.
    recordOwnCommit(state.state, committed);
    await state.save();
    ctx.logger.info("incremental high-water marks committed");
  }
  const status = result.failed ? "failed" : "succeeded";
  const durationMs = Math.round(performance.now() - started);
  const steps = selected.map((id) => ({ id, state: state.state.steps[id] ?? { status: "pending" as const } }));
  const rows = steps.reduce((n, s) => n + (s.state.status === "succeeded" ? (s.state.rows ?? 0) : 0), 0);
  const loaded = loadedTargets(ctx, steps);
  opts.bus.emit({ event: "run_finished", status, duration_ms: durationMs, rows, steps: Object.fromEntries(steps.map((s) => [s.id, s.state.status])), loaded });
  await watch.finish(state.state);
  const recorded = Object.entries(state.state.steps);
  const run = { status: state.state.status, steps: Object.fromEntries(recorded.map(([id, s]) => [id, s.status])), versioned: recorded.filter(([, s]) => s.source).map(([id]) => id) };
  return { runId: ctx.runId, status, steps, run, durationMs, staging: ctx.store.describe(), stateKey: stateKey(ctx.runId), loaded, checksSkipped, checkWarnings, anomalies: [...watch.anomalies], schemaChanges, rejected };
}

/** The targets this invocation's succeeded loads wrote, with their rows. */
function loadedTargets(ctx: RunContext, steps: RunReport["steps"]): LoadedTarget[] {
  return steps.flatMap(({ id, state }) => {
    const step = ctx.steps.get(id);
    const target = step && state.status === "succeeded" ? loadTarget(ctx, step) : undefined;
    return target === undefined ? [] : [{ step: id, target, rows: state.rows ?? 0 }];
  });
}
