/**
 * Which steps read a step's staged records. `depends_on` also orders steps that read nothing (a
 * `sql` step after a load, a second upstream of a load); only these edges carry records: a
 * transform or load reading its input (`input`, else the first of `depends_on`), and a transform
 * joining another step in (`join.with`). Loads and `sql` steps stage nothing, so records stop there.
 */
import type { Step } from "../pipeline/model";
import { inputOf } from "./context";

/** The ids of the steps whose staged records `step` reads. */
function recordInputs(step: Step): string[] {
  if (!step.transform && !step.load) return [];
  const input = inputOf(step);
  const joined = (step.transform ?? []).flatMap((op) => (op.join ? [op.join.with] : []));
  return [...new Set([...(input !== undefined ? [input] : []), ...joined])];
}

/**
 * The steps that read `from`'s records, directly or through transforms between (which stage what
 * they read), in pipeline order. `from` itself is left out.
 */
export function recordReaders(steps: readonly Step[], from: string): Step[] {
  const readers = new Map<string, Step[]>();
  for (const step of steps) for (const id of recordInputs(step)) readers.set(id, [...(readers.get(id) ?? []), step]);
  const found = new Set<string>();
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    for (const reader of readers.get(queue[head] as string) ?? []) {
      if (reader.id === from || found.has(reader.id)) continue;
      found.add(reader.id);
      if (reader.transform) queue.push(reader.id);
    }
  }
  return steps.filter((s) => found.has(s.id));
}
