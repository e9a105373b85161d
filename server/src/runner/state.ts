/**
 * Run state, `<run_id>/state.json` in the staging store: what each step did, so `--resume` re-runs
 * only the steps that did not succeed. Each write is an atomic read-modify-write (`StagingStore.update`).
 */
import type { StagingStore } from "../sources/staging";
import type { SourceVersion } from "../sources/types";
import { readJson } from "./stagedData";

export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";
/**
 * `succeeded` once every step of the run has; `failed` while any step has failed; `running` while
 * steps are still to run (also a run continued step by step with `--step`, as Airflow does).
 */
export type RunStatus = "running" | "succeeded" | "failed";

export interface StepState {
  status: StepStatus;
  rows?: number;
  attempts?: number;
  started_at?: string;
  finished_at?: string;
  duration_ms?: number;
  error?: string;
  /** The failure's stable code (`cast-failed`, `postgres-connection`, …), beside `error`. */
  code?: string;
  /** `incremental` extracts: the new high-water mark, committed when the whole run has succeeded. */
  high_water?: string | number;
  /**
   * `incremental` extracts: the committed mark the extract read from (null: none was committed, it
   * read from `initial` or everything). Resuming compares it with the mark committed since.
   */
  high_water_from?: string | number | null;
  /**
   * Extracts: what identified the source's data when it was staged (files' sizes and modification
   * times, objects' ETags); absent for sources that cannot tell. `--resume` compares it (sourceChanges.ts).
   */
  source?: SourceVersion;
}

export interface RunState {
  version: 1;
  pipeline: string;
  file: string;
  run_id: string;
  ds: string;
  /** `{{ ts }}` of the run (absent in runs recorded before it existed: their ds at midnight). */
  ts?: string;
  params: Record<string, string | number | boolean | null>;
  status: RunStatus;
  started_at: string;
  finished_at?: string;
  steps: Record<string, StepState>;
}

export const stateKey = (runId: string) => `${runId}/state.json`;

export function loadState(store: StagingStore, runId: string): Promise<RunState | undefined> {
  return readJson<RunState>(store, stateKey(runId));
}

/**
 * The run's status from its steps, whichever process ran them. `stepIds`: the pipeline's steps as
 * it is now (default: every recorded step); a step since renamed or removed from the file no longer
 * counts, so its old failure cannot keep the run failed, and a step not run yet counts as pending.
 */
export function runStatusOf(steps: Record<string, StepState>, stepIds: readonly string[] = Object.keys(steps)): RunStatus {
  const all = stepIds.map((id) => steps[id]?.status ?? "pending");
  if (all.every((s) => s === "succeeded")) return "succeeded";
  return all.some((s) => s === "failed") ? "failed" : "running";
}

/** The runs of this pipeline in the store, the most recently started first. */
export async function runsOf(store: StagingStore, pipeline: string): Promise<RunState[]> {
  const keys = (await store.list("")).filter((k) => k.endsWith("/state.json"));
  const runs: RunState[] = [];
  for (const key of keys) {
    const state = await readJson<RunState>(store, key).catch(() => undefined);
    if (state?.pipeline === pipeline) runs.push(state);
  }
  return runs.sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0));
}

/** The most recently started run of this pipeline in the store, if any. */
export async function latestRunId(store: StagingStore, pipeline: string): Promise<string | undefined> {
  return (await runsOf(store, pipeline))[0]?.run_id;
}

/**
 * Holds the state in memory and persists each change in order. Steps of one run may execute in
 * different processes at once (Airflow tasks with `--step`), so each save is one atomic
 * read-modify-write of the stored state (`StagingStore.update`) that overlays only the steps this
 * process ran: a parallel task's update is never overwritten by a stale copy.
 */
export class RunStateWriter {
  private chain: Promise<void> = Promise.resolve();
  private readonly touched = new Set<string>();
  /** Set by `finish`: whether this process's steps failed (or were interrupted). */
  private finished: { failed: boolean } | undefined;
  private readonly stepIds: readonly string[];

  /** `stepIds`: the pipeline's steps as it is now; by default the steps `state` starts with. */
  constructor(
    private readonly store: StagingStore,
    readonly state: RunState,
    stepIds?: readonly string[],
  ) {
    this.stepIds = stepIds ?? Object.keys(state.steps);
  }

  step(id: string, patch: Partial<StepState>): Promise<void> {
    const current = this.state.steps[id] ?? { status: "pending" };
    const next: StepState = { ...current, ...patch };
    if (patch.status === "running") {
      delete next.error;
      delete next.code;
    }
    this.state.steps[id] = next;
    this.touched.add(id);
    return this.save();
  }

  /**
   * Records the run's status from all its steps as stored now (other processes may have run some),
   * so a `--step` run that succeeded while another step is still failed leaves the run failed.
   * `failed`: this process's part failed, whatever the stored steps say.
   */
  finish(failed: boolean): Promise<void> {
    this.finished = { failed };
    return this.save();
  }

  private settle(failed: boolean): void {
    this.state.status = failed ? "failed" : runStatusOf(this.state.steps, this.stepIds);
    if (this.state.status === "running") delete this.state.finished_at;
    else this.state.finished_at = new Date().toISOString();
  }

  /** The state to store over `stored` (may run again when another process wrote first). */
  private merge(stored: string | undefined): string {
    const steps = { ...(parseState(stored)?.steps ?? {}) };
    for (const id of this.touched) if (this.state.steps[id]) steps[id] = this.state.steps[id];
    // Steps nobody has recorded yet keep their in-memory state (pending, or from the resumed run).
    for (const [id, s] of Object.entries(this.state.steps)) if (!(id in steps)) steps[id] = s;
    this.state.steps = steps;
    if (this.finished) this.settle(this.finished.failed);
    return JSON.stringify(this.state, null, 2) + "\n";
  }

  save(): Promise<void> {
    this.chain = this.chain.then(async () => {
      await this.store.update(stateKey(this.state.run_id), (stored) => this.merge(stored));
    });
    return this.chain;
  }
}

/** A stored state, or undefined when absent or unreadable (then this process's view is written). */
function parseState(text: string | undefined): RunState | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RunState;
  } catch {
    return undefined;
  }
}
