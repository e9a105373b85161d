import type { Node } from "yaml";
import { asMap, deref, pairOf, spanOf, stringValue } from "../nodes";
import type { PipelineOutline, StepOutline } from "../outline";
import { problem, type Problem } from "../problem";
import type { Rule } from "./rule";

/** The steps reading `from`'s records, directly or through transforms (runner/recordEdges.ts, on the outline). */
function readers(outline: PipelineOutline, from: string): StepOutline[] {
  const found: StepOutline[] = [];
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    for (const step of outline.steps) {
      const kind = step.kinds[0]?.kind;
      if (step.kinds.length !== 1 || (kind !== "transform" && kind !== "load") || step.id === undefined || found.includes(step)) continue;
      const input = step.input?.name ?? step.dependsOn[0]?.name;
      if (input !== id && !step.joins.some((j) => j.name === id)) continue;
      found.push(step);
      if (kind === "transform") queue.push(step.id.name);
    }
  }
  return found;
}

/**
 * An incremental extract with `lag` reads rows again (the window behind the mark); an `append`
 * load of them would add those rows twice. A `merge` on the key makes the second read harmless;
 * where the load has a `key` and says `mode: append`, the quick fix switches it to `merge`.
 */
export const lagAppend: Rule = {
  code: "lag-append",
  check({ outline }) {
    const { doc } = outline;
    const problems: Problem[] = [];
    for (const step of outline.steps) {
      const kind = step.kinds[0];
      if (kind?.kind !== "extract" || step.id === undefined) continue;
      const incremental = asMap(doc, pairOf(doc, asMap(doc, kind.node), "incremental")?.value);
      const lag = pairOf(doc, incremental, "lag");
      if (!lag) continue;
      for (const reader of readers(outline, step.id.name)) {
        const load = reader.kinds[0];
        if (load?.kind !== "load") continue;
        const body = asMap(doc, load.node);
        const mode = deref(doc, pairOf(doc, body, "mode")?.value);
        const written = mode ? stringValue(doc, mode) : undefined;
        if (written !== undefined && written !== "append") continue;
        const hasKey = pairOf(doc, body, "key") !== undefined;
        const fix = hasKey ? (mode ? "switch to `mode: merge` on its `key`" : "add `mode: merge` (its `key` identifies the rows)") : "use `mode: merge` with a `key` that identifies the rows";
        const message = `load \`${reader.id?.name ?? "?"}\` appends the records of \`${step.id.name}\`, whose incremental \`lag\` reads rows again: those rows would be added twice; ${fix}`;
        const related = [{ message: `\`lag\` of \`${step.id.name}\``, span: spanOf(lag.key as Node) }];
        problems.push(problem("lag-append", "warning", message, mode ? spanOf(mode) : load.keySpan, { related, ...(hasKey && mode ? { suggestion: "merge" } : {}) }));
      }
    }
    return problems;
  },
};
