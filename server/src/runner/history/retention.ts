/**
 * Retention: which runs to forget (their history record and their staged outputs). A run is pruned
 * when it is past the newest `keep_runs` or started more than `max_age` ago, except the run going
 * on, the last successful run (its outputs are what a fresh `--step` reads) and, unless asked, a
 * run that can still be resumed (it did not succeed and its staged outputs are there) and every
 * run of a backfill that can still be resumed.
 */
import { rm } from "node:fs/promises";
import { ageMs, DEFAULT_KEEP_RUNS, DEFAULT_MAX_AGE, type RetentionSettings } from "../../pipeline/observe";
import type { StagingStore } from "../../sources/staging";
import { LocalStagingStore } from "../staging/localStaging";
import { runsOf } from "../state";
import type { HistoryStore } from "./store";

export interface RetentionRule {
  keep: number;
  maxAgeMs: number;
  includeResumable: boolean;
}

export function retentionRule(settings: RetentionSettings | undefined, given: { keep?: number; olderThan?: string; includeResumable?: boolean } = {}): RetentionRule {
  return {
    keep: given.keep ?? settings?.keep_runs ?? DEFAULT_KEEP_RUNS,
    maxAgeMs: ageMs(given.olderThan ?? settings?.max_age ?? DEFAULT_MAX_AGE),
    includeResumable: given.includeResumable ?? false,
  };
}

/** A run as retention sees it: where it is recorded. */
export interface KnownRun {
  runId: string;
  startedAt: string;
  status: string;
  inHistory: boolean;
  staged: boolean;
  /** One of the runs (days or intervals) of a backfill (`run --from … --to …`), as its trigger in the history says. */
  backfill: boolean;
}

export interface PruneChoice {
  prune: KnownRun[];
  /** Runs past the limits kept anyway, with why. */
  spared: { run: KnownRun; why: string }[];
}

/** Pure: the runs to prune, newest first, and those spared. `current`: the run going on. */
export function choosePrune(runs: readonly KnownRun[], rule: RetentionRule, now: number, current?: string): PruneChoice {
  const sorted = [...runs].sort((a, b) => (a.startedAt !== b.startedAt ? (a.startedAt < b.startedAt ? 1 : -1) : a.runId < b.runId ? 1 : -1));
  const lastSuccess = sorted.find((r) => r.status === "succeeded")?.runId;
  // `--resume` of a backfill skips the days whose run succeeded (their staged state says so) and
  // runs the others again: while one day is unfinished (failed, or running in another process),
  // pruning a day that succeeded would make the resume load that day twice.
  const openBackfill = runs.some((r) => r.backfill && r.status !== "succeeded");
  const choice: PruneChoice = { prune: [], spared: [] };
  sorted.forEach((run, index) => {
    const old = now - Date.parse(run.startedAt) > rule.maxAgeMs;
    if (index < rule.keep && !old) return;
    if (run.runId === current) return;
    if (run.runId === lastSuccess) choice.spared.push({ run, why: "the last successful run" });
    else if (run.backfill && openBackfill && !rule.includeResumable) choice.spared.push({ run, why: "a run of a backfill that can still be resumed (--include-resumable prunes it)" });
    else if (run.status !== "succeeded" && run.staged && !rule.includeResumable) choice.spared.push({ run, why: "it can still be resumed (--include-resumable prunes it)" });
    else choice.prune.push(run);
  });
  return choice;
}

/** Every run of the pipeline in the history or in staging. */
export async function knownRuns(history: HistoryStore, store: StagingStore, pipeline: string): Promise<KnownRun[]> {
  const runs = new Map<string, KnownRun>();
  for (const r of await history.list()) runs.set(r.run_id, { runId: r.run_id, startedAt: r.started_at, status: r.status, inHistory: true, staged: false, backfill: r.trigger === "backfill" });
  for (const s of await runsOf(store, pipeline)) {
    const known = runs.get(s.run_id);
    if (known) known.staged = true;
    else runs.set(s.run_id, { runId: s.run_id, startedAt: s.started_at, status: s.status, inHistory: false, staged: true, backfill: false });
  }
  return [...runs.values()];
}

/** Removes the runs' history records and staged outputs. */
export async function prune(runs: readonly KnownRun[], history: HistoryStore, store: StagingStore): Promise<void> {
  await history.remove(runs.filter((r) => r.inHistory).map((r) => r.runId));
  for (const run of runs.filter((r) => r.staged)) {
    const keys = await store.list(`${run.runId}/`);
    // The state last: a run interrupted here is still listed (and pruned next time).
    const state = keys.filter((k) => k.endsWith("/state.json"));
    for (const key of [...keys.filter((k) => !k.endsWith("/state.json")), ...state]) await store.remove(key);
    // A local folder would stay behind, empty.
    if (store instanceof LocalStagingStore) await rm(store.pathOf(run.runId), { recursive: true, force: true });
  }
}
