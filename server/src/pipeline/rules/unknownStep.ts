import type { Ref, StepOutline } from "../outline";
import { problem, type Problem } from "../problem";
import { closest } from "../suggest";
import type { Rule } from "./rule";

/** `depends_on`, `input` or `join.with` names no step. */
export const unknownStep: Rule = {
  code: "unknown-step",
  check({ outline }) {
    const ids: string[] = [];
    for (const s of outline.steps) if (s.id) ids.push(s.id.name);
    const known = new Set(ids);
    const problems: Problem[] = [];
    const report = (step: StepOutline, r: Ref, where: string) => {
      if (known.has(r.name)) return;
      const best = closest(r.name, ids.filter((id) => id !== step.id?.name));
      const hint = best ? ` — did you mean \`${best}\`?` : ids.length > 0 ? `; steps are ${ids.slice(0, 8).map((i) => `\`${i}\``).join(", ")}${ids.length > 8 ? " …" : ""}` : "";
      problems.push(problem("unknown-step", "error", `${where} names \`${r.name}\`, but no step has that id${hint}`, r.span, best ? { suggestion: best } : {}));
    };
    for (const step of outline.steps) {
      for (const r of step.dependsOn) report(step, r, "`depends_on`");
      if (step.input) report(step, step.input, "`input`");
      for (const r of step.joins) report(step, r, "`join.with`");
    }
    return problems;
  },
};
