import { problem, type Problem } from "../problem";
import type { Rule } from "./rule";

/** Two steps share an id: reported on the second, pointing at the first. */
export const duplicateStepId: Rule = {
  code: "duplicate-step-id",
  check({ outline }) {
    const first = new Map<string, { start: number; end: number }>();
    let taken: Set<string> | undefined; // built only when there is a duplicate
    // The next number to try per id: a thousand copies of one id must not each count up from 2.
    const next = new Map<string, number>();
    const problems: Problem[] = [];
    for (const step of outline.steps) {
      if (!step.id) continue;
      const earlier = first.get(step.id.name);
      if (!earlier) {
        first.set(step.id.name, step.id.span);
        continue;
      }
      taken ??= new Set(outline.steps.flatMap((s) => (s.id ? [s.id.name] : [])));
      let n = next.get(step.id.name) ?? 2;
      while (taken.has(`${step.id.name}_${n}`)) n++;
      const free = `${step.id.name}_${n}`;
      taken.add(free);
      next.set(step.id.name, n + 1);
      problems.push(
        problem("duplicate-step-id", "error", `step id \`${step.id.name}\` is already used by an earlier step; step ids must be unique, e.g. rename it \`${free}\``, step.id.span, {
          related: [{ message: `\`${step.id.name}\` is first defined here`, span: earlier }],
          suggestion: free,
        }),
      );
    }
    return problems;
  },
};
