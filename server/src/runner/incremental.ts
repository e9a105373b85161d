/**
 * High-water marks of `incremental` extracts, one file per pipeline in the staging store
 * (`_incremental/<pipeline>.json`), so Airflow workers sharing S3 staging share them too. A new
 * mark is kept in the run's state and committed only once every step of the run has succeeded:
 * a failed load never moves the mark past rows that were not delivered. A commit never moves a
 * mark backwards.
 */
import type { StagingStore } from "../sources/staging";
import { laterMark, type Mark } from "./marks";
import { readJson, writeJson } from "./stagedData";
import type { RunState } from "./state";

type Marks = Record<string, Mark>;

const key = (pipeline: string) => `_incremental/${pipeline}.json`;

export async function readHighWater(store: StagingStore, pipeline: string, stepId: string): Promise<Mark | undefined> {
  const marks = await readJson<Marks>(store, key(pipeline));
  return marks?.[stepId];
}

/**
 * Commits the run's new marks when all its steps succeeded; returns whether it had marks to
 * commit. Each step keeps the later of the stored mark and the run's: a run that extracted before
 * another committed (a resumed old run) must not move the mark back over rows already delivered.
 */
export async function commitHighWater(store: StagingStore, state: RunState): Promise<boolean> {
  const pending = Object.entries(state.steps).filter(([, s]) => s.high_water !== undefined);
  if (pending.length === 0) return false;
  if (!Object.values(state.steps).every((s) => s.status === "succeeded")) return false;
  const marks = (await readJson<Marks>(store, key(state.pipeline))) ?? {};
  for (const [step, s] of pending) {
    const stored = marks[step];
    marks[step] = stored === undefined ? (s.high_water as Mark) : laterMark(stored, s.high_water as Mark);
  }
  await writeJson(store, key(state.pipeline), marks);
  return true;
}
