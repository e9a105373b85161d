import type { Node } from "yaml";
import { asMap, deref, pairOf, spanOf } from "../nodes";
import { problem, type Problem } from "../problem";
import type { Rule } from "./rule";

/**
 * `rejected_table: true` on a load writes what the step it loads from (directly) quarantined; when
 * that step has no `on_error: quarantine`, the table would never get a row: say where it goes.
 * (That only a `postgres` load takes the key is the `connection-type` rule's to say.)
 */
export const rejectedTable: Rule = {
  code: "rejected-table",
  check({ outline }) {
    const { doc } = outline;
    const quarantines = new Map(outline.steps.flatMap((s) => (s.id ? [[s.id.name, s.onError?.value === "quarantine"] as const] : [])));
    const problems: Problem[] = [];
    for (const step of outline.steps) {
      const kind = step.kinds[0];
      if (kind?.kind !== "load" || step.kinds.length !== 1) continue;
      const pair = pairOf(doc, asMap(doc, kind.node), "rejected_table");
      const value = deref(doc, pair?.value) as { value?: unknown } | undefined;
      if (!pair || value?.value !== true) continue;
      const upstream = step.input?.name ?? step.dependsOn[0]?.name;
      if (upstream === undefined || quarantines.get(upstream) !== false) continue;
      problems.push(
        problem(
          "rejected-table",
          "warning",
          `\`rejected_table\` writes the records that \`${upstream}\` (the step this load reads) quarantines, and it has no \`on_error: quarantine\`, so the table would stay empty; add \`on_error: quarantine\` and \`max_rejected\` to \`${upstream}\`, or remove \`rejected_table\``,
          spanOf(pair.key as Node),
        ),
      );
    }
    return problems;
  },
};
