import type { StepOutline } from "../outline";
import { problem, type Problem } from "../problem";
import { idsBetween, sameList, stepCheck, type Rule } from "./rule";

/** The facts the check reads about every step, by position; what is derived from them is built when first asked for. */
class Kinds {
  readonly ids: (string | undefined)[] = [];
  readonly counts: number[] = [];
  readonly kinds: (string | undefined)[] = [];
  private derived: { kindOf: Map<string, string>; feederBefore: (string | undefined)[] } | undefined;

  constructor(steps: readonly StepOutline[]) {
    for (const s of steps) {
      this.ids.push(s.id?.name);
      this.counts.push(s.kinds.length);
      this.kinds.push(s.kinds[0]?.kind);
    }
  }

  same(other: Kinds): boolean {
    return sameList(this.ids, other.ids) && sameList(this.counts, other.counts) && sameList(this.kinds, other.kinds);
  }

  /** The ids of the steps whose id, kind or kind count differ from `other`'s (`StepCheck.changedIds`). */
  changedIds(other: Kinds): Set<string> {
    return idsBetween(this.ids, other.ids, (i, j) => this.ids[i] === other.ids[j] && this.counts[i] === other.counts[j] && this.kinds[i] === other.kinds[j]);
  }

  /** Step id → kind of its first step with that id. */
  kindOf(id: string): string | undefined {
    return this.derive().kindOf.get(id);
  }

  producesRecords(id: string): boolean {
    const kind = this.kindOf(id);
    return kind === "extract" || kind === "transform";
  }

  /** The nearest step before `position` (in file order) that could feed it. */
  feederBefore(position: number): string | undefined {
    return this.derive().feederBefore[position];
  }

  private derive(): NonNullable<Kinds["derived"]> {
    if (this.derived) return this.derived;
    const kindOf = new Map<string, string>();
    this.ids.forEach((id, i) => {
      const kind = this.kinds[i];
      if (id !== undefined && kind !== undefined && !kindOf.has(id)) kindOf.set(id, kind);
    });
    this.derived = { kindOf, feederBefore: [] };
    let feeder: string | undefined;
    this.ids.forEach((id, i) => {
      this.derived?.feederBefore.push(feeder);
      if (id !== undefined && this.counts[i] === 1 && this.producesRecords(id)) feeder = id;
    });
    return this.derived;
  }
}

/**
 * A transform or load needs an upstream step that produces records; an extract reads a source and
 * takes none. An `sql` step produces no records, so depending on one only orders a step.
 */
export const missingInput: Rule = {
  code: "missing-input",
  steps: stepCheck<Kinds>({
    shared: ({ outline }) => new Kinds(outline.steps),
    same: (a, b) => a.same(b),
    changedIds: (a, b) => a.changedIds(b),
    step(step, kinds, position) {
      const kind = step.kinds[0];
      if (!kind || step.kinds.length !== 1) return [];
      const feeding = step.dependsOn.filter((d) => kinds.producesRecords(d.name));
      const problems: Problem[] = [];
      if (kind.kind === "extract" && feeding.length > 0) {
        const names = feeding.map((f) => `\`${f.name}\``).join(", ");
        for (const f of feeding) {
          problems.push(problem("missing-input", "error", `an \`extract\` reads its source and takes no upstream records, but it depends on ${names}; remove it from \`depends_on\` (only \`sql\` steps may order an extract)`, f.span));
        }
        return problems;
      }
      const unknownDeps = step.dependsOn.some((d) => kinds.kindOf(d.name) === undefined);
      if ((kind.kind === "transform" || kind.kind === "load") && feeding.length === 0 && !unknownDeps) {
        const suggestion = kinds.feederBefore(position);
        const hint = suggestion ? `, e.g. \`depends_on: [${suggestion}]\`` : "";
        problems.push(problem("missing-input", "error", `a \`${kind.kind}\` needs an upstream step that produces records: add \`depends_on\` naming an extract or transform${hint}`, kind.keySpan, suggestion ? { suggestion } : {}));
      }
      return problems;
    },
  }),
};
