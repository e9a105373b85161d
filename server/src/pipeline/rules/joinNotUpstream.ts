import { problem, type Problem } from "../problem";
import type { Rule } from "./rule";

/** `join.with` or `input` names a step that is not in `depends_on` (its records would not be ready). */
export const joinNotUpstream: Rule = {
  code: "join-not-upstream",
  check({ outline }) {
    const ids = new Set<string>();
    for (const s of outline.steps) if (s.id) ids.add(s.id.name);
    const problems: Problem[] = [];
    for (const step of outline.steps) {
      if (!step.input && step.joins.length === 0) continue;
      const deps = new Set(step.dependsOn.map((d) => d.name));
      const refs = [...(step.input ? [{ r: step.input, key: "input" }] : []), ...step.joins.map((r) => ({ r, key: "join.with" }))];
      for (const { r, key } of refs) {
        if (!ids.has(r.name) || deps.has(r.name)) continue;
        problems.push(
          problem("join-not-upstream", "error", `\`${key}: ${r.name}\` needs \`${r.name}\` in this step's \`depends_on\`, so its records are ready first`, r.span, {
            ...(step.dependsOnKey ? { related: [{ message: "add it here", span: step.dependsOnKey }] } : {}),
          }),
        );
      }
    }
    return problems;
  },
};
