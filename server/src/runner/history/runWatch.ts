/**
 * What the runner does for the run history, in one place: records the run when it starts and ends,
 * flags anomalies as each step succeeds, then applies retention and sends the notifications. The
 * history is the run's record, not its work: a history that cannot be opened or written is a
 * warning, never a failed run.
 */
import { resolveConnections } from "../../env/resolve";
import type { RunContext } from "../context";
import type { EventBus } from "../events";
import type { RunState, RunStateWriter } from "../state";
import { baselineOf, BASELINE_RUNS, detectAnomalies, policyOf, type Baseline } from "./anomaly";
import { historyConnectionNames, openHistory } from "./index";
import { notifyRun } from "./notify";
import { buildRecord, recordStatus, RunObservations } from "./record";
import type { Anomaly, RunRecord, Trigger } from "./recordSchema";
import { choosePrune, knownRuns, prune, retentionRule } from "./retention";
import type { HistoryStore } from "./store";

export interface WatchOptions {
  trigger: Trigger;
  env: ReadonlyMap<string, string>;
  bus: EventBus;
  /** The steps this process runs. */
  selected: readonly string[];
}

export class RunWatch {
  private readonly observations = new RunObservations();
  private readonly touched: Set<string>;
  private anomalyFailed = false;

  private constructor(
    private readonly ctx: RunContext,
    private readonly opts: WatchOptions,
    private readonly history: HistoryStore | undefined,
    private readonly baselines: ReadonlyMap<string, Baseline>,
  ) {
    this.touched = new Set(opts.selected);
    opts.bus.on(this.observations.listener);
  }

  static async start(ctx: RunContext, state: RunState, opts: WatchOptions): Promise<RunWatch> {
    const history = await openFor(ctx, opts.env);
    const past = history ? await history.list({ status: "succeeded", limit: BASELINE_RUNS * 2 }).catch(() => [] as RunRecord[]) : [];
    const baselines = new Map(opts.selected.map((id) => [id, baselineOf(past, id)]));
    const watch = new RunWatch(ctx, opts, history, baselines);
    await watch.save(state);
    return watch;
  }

  /** After step `id` succeeded: flags its anomalies; false when one fails the run (`anomaly: fail`). */
  async afterStep(id: string, state: RunStateWriter): Promise<boolean> {
    const step = this.ctx.steps.get(id);
    const done = state.state.steps[id];
    const baseline = this.baselines.get(id);
    if (!step || !baseline || done?.status !== "succeeded") return true;
    const policy = policyOf(this.ctx.pipeline, step);
    if (policy.mode === "off") return true;
    const found = detectAnomalies(id, { rows: done.rows, durationMs: done.duration_ms }, baseline, policy.sensitivity);
    for (const a of found) this.opts.bus.emit({ event: "step_anomaly", ...a });
    if (found.length === 0 || policy.mode !== "fail") return true;
    this.anomalyFailed = true;
    const error = `anomaly: ${found.map((a) => a.message).join("; ")} (anomaly: fail)`;
    await state.step(id, { status: "failed", code: "anomaly", error });
    this.opts.bus.emit({ event: "step_failed", step: id, code: "anomaly", error, attempts: done.attempts ?? 1, duration_ms: done.duration_ms ?? 0, transient: false });
    return false;
  }

  get anomalies(): readonly Anomaly[] {
    return this.observations.anomalies;
  }

  /** Records the finished run, prunes what retention says, tells the webhooks. */
  async finish(state: RunState): Promise<RunRecord> {
    const record = await this.save(state);
    if (this.history) {
      // A backfill's days are one run to the user: pruning them as the days go would take the
      // record of days that succeeded from `--resume`. The next run after it applies retention.
      if (this.opts.trigger !== "backfill") await this.applyRetention(this.history).catch((err: unknown) => this.ctx.logger.warn({ err: errText(err) }, "retention could not prune old runs"));
      await this.history.close();
    }
    await notifyRun(this.ctx.pipeline.notify, record, { env: this.opts.env, baseDir: this.ctx.baseDir, logger: this.ctx.logger, secrets: this.ctx.secrets });
    return record;
  }

  private async save(state: RunState): Promise<RunRecord> {
    const status = state.status === "running" && state.finished_at === undefined ? "running" : recordStatus(state, this.anomalyFailed);
    const record = buildRecord({ state, steps: this.ctx.pipeline.steps, trigger: this.opts.trigger, file: this.ctx.file, observations: this.observations, skippedChecks: this.ctx.skipChecks === true }, status);
    await this.history?.save(record, this.touched).catch((err: unknown) => this.ctx.logger.warn({ err: errText(err) }, `the run could not be recorded in the history (${this.history?.describe() ?? ""})`));
    return record;
  }

  private async applyRetention(history: HistoryStore): Promise<void> {
    const rule = retentionRule(this.ctx.pipeline.retention);
    const { prune: gone } = choosePrune(await knownRuns(history, this.ctx.store, this.ctx.pipeline.name), rule, Date.now(), this.ctx.runId);
    if (gone.length === 0) return;
    await prune(gone, history, this.ctx.store);
    this.ctx.logger.info({ runs: gone.map((r) => r.runId) }, "retention: pruned old runs");
  }
}

async function openFor(ctx: RunContext, env: ReadonlyMap<string, string>): Promise<HistoryStore | undefined> {
  try {
    const names = historyConnectionNames(ctx.pipeline);
    const resolved = names.length > 0 ? resolveConnections(ctx.pipeline.connections, env, ctx.baseDir, names) : { connections: {}, secrets: [] };
    return await openHistory(ctx.pipeline, ctx.baseDir, resolved.connections, [...resolved.secrets, ...ctx.secrets]);
  } catch (err: unknown) {
    ctx.logger.warn({ err: errText(err) }, "the run history cannot be opened: this run is not recorded");
    return undefined;
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
