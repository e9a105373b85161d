/**
 * What the DAG preview marks on nodes: the problems inside each step (found by offset, so every
 * rule's problems count, not only the graph's), and `depends_on` entries that name no step.
 */
import type { PipelineOutline } from "../pipeline/outline";
import type { Problem } from "../pipeline/problem";

/** The step (by id) whose item contains each problem; problems outside every step are left out. */
export function problemsByStep(outline: PipelineOutline, problems: readonly Problem[]): Map<string, Problem[]> {
  // Step items are disjoint and in text order: a binary search per problem finds its step.
  const steps = outline.steps.filter((s) => s.id !== undefined);
  const out = new Map<string, Problem[]>();
  for (const p of problems) {
    let lo = 0;
    let hi = steps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = steps[mid];
      if (!s) break;
      if (p.span.start < s.span.start) hi = mid - 1;
      else if (p.span.start >= s.span.end) lo = mid + 1;
      else {
        const id = s.id?.name as string;
        const list = out.get(id) ?? [];
        list.push(p);
        out.set(id, list);
        break;
      }
    }
  }
  return out;
}

/** Each `depends_on` entry naming no step, once per (step, missing id). */
export function missingDependencies(outline: PipelineOutline): { step: string; missing: string }[] {
  const ids = new Set(outline.steps.flatMap((s) => (s.id ? [s.id.name] : [])));
  const seen = new Set<string>();
  const out: { step: string; missing: string }[] = [];
  for (const s of outline.steps) {
    if (!s.id) continue;
    for (const dep of s.dependsOn) {
      const key = `${s.id.name}\u0000${dep.name}`;
      if (ids.has(dep.name) || dep.name === "" || seen.has(key)) continue;
      seen.add(key);
      out.push({ step: s.id.name, missing: dep.name });
    }
  }
  return out;
}
