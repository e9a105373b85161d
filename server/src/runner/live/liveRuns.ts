/**
 * Steps that stream into each other. When a step's records have exactly one reader that depends
 * on nothing else (a transform without `join`, or a PostgreSQL load, whose work stays invisible
 * until its COMMIT), the reader's first attempt starts together with its upstream and reads the
 * upstream's batches as they are made, while the upstream still stages its output as always (a
 * tee). Nothing else changes: the reader officially starts (state, `step_started`) when the
 * scheduler reaches its level; only then does its input end, so it can finish and commit. If the
 * upstream's first attempt fails, or the scheduler never reaches the reader (an earlier failure),
 * the early attempt is abandoned (a load rolls back) and the reader runs, or not, as it would have.
 */
import type { Step } from "../../pipeline/model";
import { descriptorFor } from "../../sources/registry";
import { ConnectorError } from "../../errors";
import { inputOf, type RunContext } from "../context";
import { resolvePolicy } from "../policy";
import { attemptOnce } from "../retry";
import { progressTracker, runStep, type LiveStep, type Progress, type StepRunDeps } from "../stepRunner";
import { executeStep, type StepOutcome } from "../steps";
import { BatchChannel } from "./channel";

/** producer id → the consumer id that streams from it. */
export type LivePlan = Map<string, string>;

function readsOnlyFrom(step: Step): string | undefined {
  const input = inputOf(step);
  const deps = new Set([...(step.depends_on ?? []), ...(step.input ? [step.input] : [])]);
  return input !== undefined && deps.size === 1 && deps.has(input) ? input : undefined;
}

function canStreamIn(ctx: RunContext, step: Step): boolean {
  if (step.transform) return !step.transform.some((op) => op.join !== undefined);
  if (step.load) return descriptorFor(ctx.connections[step.load.connection]?.type)?.load?.streamsIn === true;
  return false;
}

/** Which selected steps stream into which. */
export function planLive(ctx: RunContext, selected: readonly string[]): LivePlan {
  const chosen = new Set(selected);
  const plan: LivePlan = new Map();
  for (const id of selected) {
    const step = ctx.steps.get(id);
    if (!step || !canStreamIn(ctx, step)) continue;
    const upstream = readsOnlyFrom(step);
    const producer = upstream === undefined ? undefined : ctx.steps.get(upstream);
    if (!producer || !chosen.has(producer.id) || plan.has(producer.id) || !(producer.extract || producer.transform)) continue;
    plan.set(producer.id, id);
  }
  return plan;
}

interface Early {
  channel: BatchChannel;
  attempt: Promise<StepOutcome>;
  progress: Progress;
}

export class LiveRuns {
  private readonly early = new Map<string, Early>();

  constructor(
    private readonly ctx: RunContext,
    private readonly deps: StepRunDeps,
    private readonly plan: LivePlan,
  ) {}

  /** What the scheduler runs for step `id`; resolves true when it succeeded. */
  async run(id: string): Promise<boolean> {
    const early = this.early.get(id);
    if (!early) return this.start(id, {});
    this.early.delete(id);
    if (early.channel.failed) {
      // The upstream's first attempt failed and it succeeded on a retry: run from its staged output.
      await early.attempt.catch(() => undefined);
      return this.start(id, {});
    }
    // Its input ends (so it can finish and commit) only once it has officially started.
    return runStep(this.ctx, id, this.deps, { first: { attempt: early.attempt, progress: early.progress, started: () => early.channel.end() } });
  }

  /** Abandons the early attempts the scheduler never reached, and waits for them to stop. */
  async settle(): Promise<void> {
    const pending = [...this.early.values()];
    this.early.clear();
    for (const e of pending) e.channel.fail(new ConnectorError("aborted", "the step was not started", false));
    await Promise.all(pending.map((e) => e.attempt.catch(() => undefined)));
  }

  private start(id: string, live: LiveStep): Promise<boolean> {
    const tee = this.launchConsumer(id);
    return runStep(this.ctx, id, this.deps, tee ? { ...live, tee } : live);
  }

  /** Starts the first attempt of `producer`'s consumer on a channel from it; returns the channel. */
  private launchConsumer(producer: string): BatchChannel | undefined {
    const id = this.plan.get(producer);
    const step = id === undefined ? undefined : this.ctx.steps.get(id);
    if (id === undefined || !step) return undefined;
    const channel = new BatchChannel();
    const downstream = this.launchConsumer(id);
    const progress = progressTracker(this.deps.bus, id, true);
    const run = (signal: AbortSignal) => executeStep(this.ctx, step, signal, progress, { input: channel, ...(downstream ? { tee: downstream } : {}) });
    const attempt = attemptOnce(run, 1, resolvePolicy(this.ctx.pipeline, step), this.deps.signal).then(
      (outcome) => outcome,
      (err: unknown) => {
        downstream?.fail(err);
        throw err;
      },
    );
    // A consumer that stopped (done or failed) must not hold its producer back.
    void attempt.finally(() => channel.detach()).catch(() => undefined);
    this.early.set(id, { channel, attempt, progress });
    return channel;
  }
}
