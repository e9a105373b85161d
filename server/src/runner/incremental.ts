/**
 * High-water marks of `incremental` extracts, one file per pipeline in the staging store
 * (`_incremental/<pipeline>.json`), so Airflow workers sharing S3 staging share them too. A new
 * mark is kept in the run's state and committed only once every step of the run has succeeded:
 * a failed load never moves the mark past rows that were not delivered. A commit never moves a
 * mark backwards, and a run whose staged extract predates another run's commit is reported by
 * `staleIncrementalSteps` so it is not resumed (its rows would be loaded twice); re-running an
 * extract in a run whose load already succeeded is reported by `rerunsAfterLoad` (its new rows
 * would never be loaded).
 */
import type { Extract, Step } from "../pipeline/model";
import { valueAt } from "../sources/http/paths";
import type { StagingStore } from "../sources/staging";
import type { DataRecord } from "../sources/types";
import { compareMarks, laterMark, markBehind, type Mark } from "./marks";
import { recordReaders } from "./recordEdges";
import { readJson } from "./stagedData";
import { stateKey, type RunState, type StepState } from "./state";

export type Marks = Record<string, Mark>;

/**
 * A run's state with the marks it committed itself (each extract's `high_water` at the commit),
 * so a later retry of one of its steps does not take the run's own commit for another run's.
 */
type CommittingRunState = RunState & { committed_marks?: Marks };

export function ownCommittedMarks(run: RunState): Marks | undefined {
  return (run as CommittingRunState).committed_marks;
}

/** Records in `run` (to be saved with it) the marks `commitHighWater` committed for it. */
export function recordOwnCommit(run: RunState, marks: Marks): void {
  (run as CommittingRunState).committed_marks = { ...ownCommittedMarks(run), ...marks };
}

const key = (pipeline: string) => `_incremental/${pipeline}.json`;

export async function readHighWater(store: StagingStore, pipeline: string, stepId: string): Promise<Mark | undefined> {
  const marks = await readJson<Marks>(store, key(pipeline));
  return marks?.[stepId];
}

/**
 * The mark an extract reads after: the committed one less `lag` (a window re-read for rows that
 * committed late), or none (the extract starts from `initial`, which `lag` never lowers).
 */
export function readAfter(extract: Extract, committed: Mark | undefined): Mark | undefined {
  const lag = extract.incremental?.lag;
  return committed === undefined || lag === undefined ? committed : markBehind(committed, lag);
}

/**
 * The mark an extract ends at: the highest it read, never below the committed one (a lagged read
 * whose window held only rows already read must not move the mark back).
 */
export function endMark(committed: Mark | undefined, read: Mark | undefined): Mark | undefined {
  if (read === undefined) return committed;
  return committed === undefined ? read : laterMark(committed, read);
}

/** Keeps the highest value found at a dotted path of the records (HTTP `incremental.from`). */
export function markTracker(path: string): { see(batch: readonly DataRecord[]): void; mark(): Mark | undefined } {
  let best: Mark | undefined;
  return {
    see(batch) {
      for (const record of batch) {
        const v = valueAt(record, path);
        if (typeof v !== "string" && typeof v !== "number") continue;
        if (best === undefined || compareMarks(v, best) > 0) best = v;
      }
    },
    mark: () => best,
  };
}

/**
 * Commits the run's new marks when all its steps succeeded; returns the run's marks it committed
 * (undefined when it had none, or a step has not succeeded). Each step keeps the later of the stored mark and the run's: a run that extracted before
 * another committed (a resumed old run) must not move the mark back over rows already delivered.
 */
export async function commitHighWater(store: StagingStore, state: RunState): Promise<Marks | undefined> {
  const pending = Object.entries(state.steps).filter(([, s]) => s.high_water !== undefined);
  if (pending.length === 0) return undefined;
  // The status `finish` settled over the pipeline's current steps (a step since removed from the
  // file does not hold the marks back).
  if (state.status !== "succeeded") return undefined;
  // Atomic: runs of one pipeline may commit at the same time (parallel Airflow DAG runs).
  await store.update(key(state.pipeline), (text) => {
    const marks = text === undefined ? {} : (JSON.parse(text) as Marks);
    for (const [step, s] of pending) {
      const stored = marks[step];
      marks[step] = stored === undefined ? (s.high_water as Mark) : laterMark(stored, s.high_water as Mark);
    }
    return `${JSON.stringify(marks, null, 2)}\n`;
  });
  return Object.fromEntries(pending.map(([step, s]) => [step, s.high_water as Mark]));
}

/** An incremental extract of a run whose staged records another run's commit has overtaken. */
export interface StaleIncrementalStep {
  step: string;
  /**
   * The committed mark the extract read from: null when none was committed then (it read from
   * `initial`, or everything); undefined when the run's state predates `high_water_from`.
   */
  readFrom: Mark | null | undefined;
  /** The mark committed now, above `readFrom`. */
  committed: Mark;
  /** The run whose commit moved the mark to `committed`, when the store still holds its state. */
  committedBy?: string;
}

/**
 * Whether a succeeded extract's staged records were read from a mark below the committed one.
 * States written before `high_water_from` only have the mark the extract ended at: rows above
 * the start were read (rows > 0) so it started below its end, or it read none and started there.
 */
function overtaken(s: StepState, committed: Mark): boolean {
  if (s.high_water_from !== undefined) return s.high_water_from === null || compareMarks(committed, s.high_water_from) > 0;
  if (s.high_water === undefined) return false;
  const c = compareMarks(committed, s.high_water);
  return c > 0 || (c === 0 && (s.rows ?? 0) > 0);
}

/** Whether a step that will run reads `step`'s staged records (and `step` itself is not re-run). */
function reused(step: string, reuse: { steps: readonly Step[]; rerun: readonly string[] }): boolean {
  const rerun = new Set(reuse.rerun);
  if (rerun.has(step)) return false;
  return recordReaders(reuse.steps, step).some((s) => rerun.has(s.id));
}

/**
 * Whether the committed mark is the one this run committed itself, at what it read up to: its
 * own load delivered those rows, so retrying a step of it (Airflow's "clear task") is safe.
 */
function ownCommit(run: RunState, step: string, s: StepState, committed: Mark): boolean {
  const own = ownCommittedMarks(run)?.[step];
  if (own === undefined || s.high_water === undefined) return false;
  return compareMarks(own, s.high_water) === 0 && compareMarks(committed, s.high_water) <= 0;
}

/** The latest-finished other run that moved `step`'s mark to `committed`, from the states in the store. */
async function committer(store: StagingStore, run: RunState, step: string, committed: Mark): Promise<string | undefined> {
  let best: RunState | undefined;
  for (const k of (await store.list("")).filter((k) => k.endsWith("/state.json") && k !== stateKey(run.run_id))) {
    const other = await readJson<RunState>(store, k).catch(() => undefined);
    const s = other?.steps[step];
    if (!other || other.pipeline !== run.pipeline || s?.high_water === undefined) continue;
    if (!Object.values(other.steps).every((o) => o.status === "succeeded")) continue;
    if (compareMarks(s.high_water, committed) !== 0 || !overtaken(s, committed)) continue;
    if (!best || (other.finished_at ?? "") > (best.finished_at ?? "")) best = other;
  }
  return best?.run_id;
}

/**
 * For a run about to be resumed: its succeeded incremental extracts whose staged records were read
 * from a mark below the one committed now. Another run has committed since this one extracted, so
 * it has most likely loaded the same rows, and loading this run's staged records would load them
 * again. Returns [] for a run whose steps all succeeded, and leaves out an extract whose committed
 * mark this run committed itself (a step retried after the run's own commit), unless another run
 * committed that mark too.
 *
 * `reuse` (the pipeline's steps and the steps the resumed run will execute) narrows the answer to
 * extracts whose records one of those steps reads, directly or through transforms between (not
 * through ordering-only `depends_on`); an extract that is itself re-run reads afresh from the
 * committed mark. Without `reuse`, every overtaken extract is returned.
 */
export async function staleIncrementalSteps(store: StagingStore, run: RunState, reuse?: { steps: readonly Step[]; rerun: readonly string[] }): Promise<StaleIncrementalStep[]> {
  if (Object.values(run.steps).every((s) => s.status === "succeeded")) return [];
  const marks = (await readJson<Marks>(store, key(run.pipeline))) ?? {};
  const stale: StaleIncrementalStep[] = [];
  for (const [step, s] of Object.entries(run.steps)) {
    const committed = marks[step];
    if (s.status !== "succeeded" || committed === undefined || !overtaken(s, committed)) continue;
    if (reuse && !reused(step, reuse)) continue;
    const by = await committer(store, run, step, committed);
    if (by === undefined && ownCommit(run, step, s, committed)) continue;
    stale.push({ step, readFrom: s.high_water_from, committed, ...(by !== undefined ? { committedBy: by } : {}) });
  }
  return stale;
}

function describeStale(s: StaleIncrementalStep): string {
  const from = s.readFrom === null ? "from the start (no mark was committed then)" : s.readFrom === undefined ? "from an older mark" : `from mark ${JSON.stringify(s.readFrom)}`;
  return `step ${s.step} read its rows ${from}, and ${s.committedBy !== undefined ? `run ${s.committedBy}` : "another run"} has since committed mark ${JSON.stringify(s.committed)}`;
}

/** The one-line refusal for a resume that `staleIncrementalSteps` found stale extracts in. */
export function staleResumeMessage(run: RunState, stale: readonly StaleIncrementalStep[]): string {
  return (
    `cannot resume run ${run.run_id}: ${stale.map(describeStale).join("; ")}; ` +
    `those rows were most likely loaded already, and resuming would load them again. ` +
    `Start a fresh run instead: agent-etl run ${run.file} (without --resume and --run-id)`
  );
}

/** A succeeded incremental extract about to be re-run in its run, and a load of its records that already succeeded there. */
export interface LoadedRerun {
  extract: string;
  load: string;
}

/**
 * Re-running a succeeded incremental extract inside an existing run reads rows past the mark, and
 * the run then commits the new mark; but a load of its records that already succeeded in the run
 * does not deliver them (it is not re-run, or a PostgreSQL load skips as already loaded for this
 * run and step), so those rows would never be loaded. Returns each such extract with such a load.
 */
export function rerunsAfterLoad(steps: readonly Step[], run: RunState, rerun: readonly string[]): LoadedRerun[] {
  const found: LoadedRerun[] = [];
  for (const step of steps) {
    if (!step.extract?.incremental || !rerun.includes(step.id) || run.steps[step.id]?.status !== "succeeded") continue;
    const load = recordReaders(steps, step.id).find((s) => s.load && run.steps[s.id]?.status === "succeeded");
    if (load) found.push({ extract: step.id, load: load.id });
  }
  return found;
}

/** The one-line refusal for the re-runs `rerunsAfterLoad` found. */
export function rerunAfterLoadMessage(run: RunState, found: readonly LoadedRerun[]): string {
  const what = found.map((f) => `step ${f.extract} (its records were loaded by step ${f.load}, which already succeeded in this run)`).join(", ");
  return (
    `cannot re-run ${what} in run ${run.run_id}: the extract would read rows past its high-water mark that the run's load does not load again, ` +
    `and the run would then commit the new mark, so those rows would never be loaded. ` +
    `Start a fresh run instead, which reads from the committed mark: agent-etl run ${run.file} (without --run-id)`
  );
}
