import { problem, type Problem } from "../problem";
import { stepCheck, type Rule } from "./rule";
import { changedIds, sameIds, stepIds, type StepIds } from "./shared";

/** `join.with` or `input` names a step that is not in `depends_on` (its records would not be ready). */
export const joinNotUpstream: Rule = {
  code: "join-not-upstream",
  steps: stepCheck<StepIds>({
    shared: ({ outline }) => stepIds(outline),
    same: sameIds,
    changedIds,
    step(step, ids) {
      if (!step.input && step.joins.length === 0) return [];
      const deps = new Set(step.dependsOn.map((d) => d.name));
      const refs = [...(step.input ? [{ r: step.input, key: "input" }] : []), ...step.joins.map((r) => ({ r, key: "join.with" }))];
      const problems: Problem[] = [];
      for (const { r, key } of refs) {
        if (!ids.set.has(r.name) || deps.has(r.name)) continue;
        problems.push(
          problem("join-not-upstream", "error", `\`${key}: ${r.name}\` needs \`${r.name}\` in this step's \`depends_on\`, so its records are ready first`, r.span, {
            ...(step.dependsOnKey ? { related: [{ message: "add it here", span: step.dependsOnKey }] } : {}),
          }),
        );
      }
      return problems;
    },
  }),
};
