import { problem } from "../problem";
import { closest } from "../suggest";
import type { Rule } from "./rule";

/** `depends_on`, `input` or `join.with` names no step. */
export const unknownStep: Rule = {
  code: "unknown-step",
  check({ outline }) {
    const ids = outline.steps.flatMap((s) => (s.id ? [s.id.name] : []));
    const known = new Set(ids);
    return outline.steps.flatMap((step) => {
      const refs = [
        ...step.dependsOn.map((r) => ({ r, where: "`depends_on`" })),
        ...(step.input ? [{ r: step.input, where: "`input`" }] : []),
        ...step.joins.map((r) => ({ r, where: "`join.with`" })),
      ];
      return refs
        .filter(({ r }) => !known.has(r.name))
        .map(({ r, where }) => {
          const best = closest(r.name, ids.filter((id) => id !== step.id?.name));
          const hint = best ? ` — did you mean \`${best}\`?` : ids.length > 0 ? `; steps are ${ids.slice(0, 8).map((i) => `\`${i}\``).join(", ")}${ids.length > 8 ? " …" : ""}` : "";
          return problem("unknown-step", "error", `${where} names \`${r.name}\`, but no step has that id${hint}`, r.span, best ? { suggestion: best } : {});
        });
    });
  },
};
