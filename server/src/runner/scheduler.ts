/**
 * Runs steps level by level, at most `concurrency` at a time within a level. After a failure no
 * new step starts; steps already running finish.
 */
export interface ScheduleResult {
  failed: boolean;
  /** Steps never started because of an earlier failure. */
  notStarted: string[];
}

export async function runLevels(levels: readonly (readonly string[])[], concurrency: number, runOne: (id: string) => Promise<boolean>): Promise<ScheduleResult> {
  let failed = false;
  const notStarted: string[] = [];
  for (const level of levels) {
    if (failed) {
      notStarted.push(...level);
      continue;
    }
    const queue = [...level];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        if (failed) {
          notStarted.push(id);
          continue;
        }
        if (!(await runOne(id))) failed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  }
  return { failed, notStarted };
}

/** The DAG's levels restricted to the selected steps (empty levels dropped). */
export function levelsFor(levels: readonly (readonly string[])[], selected: Iterable<string>): string[][] {
  const chosen = new Set(selected);
  return levels.map((level) => level.filter((id) => chosen.has(id))).filter((level) => level.length > 0);
}
