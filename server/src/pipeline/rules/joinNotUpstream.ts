import { problem } from "../problem";
import type { Rule } from "./rule";

/** `join.with` or `input` names a step that is not in `depends_on` (its records would not be ready). */
export const joinNotUpstream: Rule = {
  code: "join-not-upstream",
  check({ outline }) {
    const ids = new Set(outline.steps.flatMap((s) => (s.id ? [s.id.name] : [])));
    return outline.steps.flatMap((step) => {
      const deps = new Set(step.dependsOn.map((d) => d.name));
      const refs = [...(step.input ? [{ r: step.input, key: "input" }] : []), ...step.joins.map((r) => ({ r, key: "join.with" }))];
      return refs
        .filter(({ r }) => ids.has(r.name) && !deps.has(r.name))
        .map(({ r, key }) =>
          problem("join-not-upstream", "error", `\`${key}: ${r.name}\` needs \`${r.name}\` in this step's \`depends_on\`, so its records are ready first`, r.span, {
            ...(step.dependsOnKey ? { related: [{ message: "add it here", span: step.dependsOnKey }] } : {}),
          }),
        );
    });
  },
};
