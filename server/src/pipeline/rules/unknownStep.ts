import type { Ref } from "../outline";
import { problem, type Problem } from "../problem";
import { closest } from "../suggest";
import { stepCheck, type Rule } from "./rule";
import { changedIds, sameIds, stepIds, type StepIds } from "./shared";

/** `depends_on`, `input` or `join.with` names no step. */
export const unknownStep: Rule = {
  code: "unknown-step",
  steps: stepCheck<StepIds>({
    shared: ({ outline }) => stepIds(outline),
    same: sameIds,
    changedIds,
    step(step, ids, position) {
      const problems: Problem[] = [];
      const report = (r: Ref, where: string) => {
        if (ids.set.has(r.name)) return;
        const best = closest(r.name, ids.near(position, step.id?.name));
        const hint = best ? ` — did you mean \`${best}\`?` : ids.list.length > 0 ? `; steps are ${ids.list.slice(0, 8).map((i) => `\`${i}\``).join(", ")}${ids.list.length > 8 ? " …" : ""}` : "";
        problems.push(problem("unknown-step", "error", `${where} names \`${r.name}\`, but no step has that id${hint}`, r.span, best ? { suggestion: best } : {}));
      };
      for (const r of step.dependsOn) report(r, "`depends_on`");
      if (step.input) report(step.input, "`input`");
      for (const r of step.joins) report(r, "`join.with`");
      return problems;
    },
  }),
};
