import type { StepOutline } from "../outline";
import { problem, type Problem } from "../problem";
import { sameList, stepCheck, type Rule } from "./rule";

interface Kinds {
  /** Step id → kind of its first step with that id. */
  kindOf: Map<string, string>;
  /** Per step position: its id, how many kinds it has, its first kind (what the checks read). */
  ids: (string | undefined)[];
  counts: number[];
  kinds: (string | undefined)[];
  /** Per step position: the nearest earlier step (in file order) that could feed it. */
  feederBefore: (string | undefined)[];
}

function producesRecords(kinds: Kinds, id: string): boolean {
  const kind = kinds.kindOf.get(id);
  return kind === "extract" || kind === "transform";
}

function kindsOf(steps: readonly StepOutline[]): Kinds {
  const kinds: Kinds = { kindOf: new Map(), ids: [], counts: [], kinds: [], feederBefore: [] };
  for (const s of steps) {
    const first = s.kinds[0]?.kind;
    if (s.id && first && !kinds.kindOf.has(s.id.name)) kinds.kindOf.set(s.id.name, first);
    kinds.ids.push(s.id?.name);
    kinds.counts.push(s.kinds.length);
    kinds.kinds.push(first);
  }
  let feeder: string | undefined;
  for (const s of steps) {
    kinds.feederBefore.push(feeder);
    if (s.id && s.kinds.length === 1 && producesRecords(kinds, s.id.name)) feeder = s.id.name;
  }
  return kinds;
}

/**
 * A transform or load needs an upstream step that produces records; an extract reads a source and
 * takes none. An `sql` step produces no records, so depending on one only orders a step.
 */
export const missingInput: Rule = {
  code: "missing-input",
  steps: stepCheck<Kinds>({
    shared: ({ outline }) => kindsOf(outline.steps),
    same: (a, b) => sameList(a.ids, b.ids) && sameList(a.counts, b.counts) && sameList(a.kinds, b.kinds),
    step(step, kinds, position) {
      const kind = step.kinds[0];
      if (!kind || step.kinds.length !== 1) return [];
      const feeding = step.dependsOn.filter((d) => producesRecords(kinds, d.name));
      const problems: Problem[] = [];
      if (kind.kind === "extract" && feeding.length > 0) {
        const names = feeding.map((f) => `\`${f.name}\``).join(", ");
        for (const f of feeding) {
          problems.push(problem("missing-input", "error", `an \`extract\` reads its source and takes no upstream records, but it depends on ${names}; remove it from \`depends_on\` (only \`sql\` steps may order an extract)`, f.span));
        }
        return problems;
      }
      const unknownDeps = step.dependsOn.some((d) => !kinds.kindOf.has(d.name));
      if ((kind.kind === "transform" || kind.kind === "load") && feeding.length === 0 && !unknownDeps) {
        const suggestion = kinds.feederBefore[position];
        const hint = suggestion ? `, e.g. \`depends_on: [${suggestion}]\`` : "";
        problems.push(problem("missing-input", "error", `a \`${kind.kind}\` needs an upstream step that produces records: add \`depends_on\` naming an extract or transform${hint}`, kind.keySpan, suggestion ? { suggestion } : {}));
      }
      return problems;
    },
  }),
};
