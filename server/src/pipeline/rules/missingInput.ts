import type { StepOutline } from "../outline";
import { problem, type Problem } from "../problem";
import type { Rule } from "./rule";

/**
 * A transform or load needs an upstream step that produces records; an extract reads a source and
 * takes none. An `sql` step produces no records, so depending on one only orders a step.
 */
export const missingInput: Rule = {
  code: "missing-input",
  check({ outline }) {
    const kindOf = new Map<string, string>();
    for (const s of outline.steps) if (s.id && s.kinds[0] && !kindOf.has(s.id.name)) kindOf.set(s.id.name, s.kinds[0].kind);
    const producesRecords = (id: string) => {
      const kind = kindOf.get(id);
      return kind === "extract" || kind === "transform";
    };
    /** The nearest earlier step (outline.steps is in file order) that could feed step `at`. */
    const suggestionBefore = (at: number): string | undefined => {
      for (let i = at - 1; i >= 0; i--) {
        const s = outline.steps[i] as StepOutline;
        if (s.id && s.kinds.length === 1 && producesRecords(s.id.name)) return s.id.name;
      }
      return undefined;
    };
    const problems: Problem[] = [];
    outline.steps.forEach((step, at) => {
      const kind = step.kinds[0];
      if (!kind || step.kinds.length !== 1) return;
      const feeding = step.dependsOn.filter((d) => producesRecords(d.name));
      if (kind.kind === "extract" && feeding.length > 0) {
        const names = feeding.map((f) => `\`${f.name}\``).join(", ");
        for (const f of feeding) {
          problems.push(problem("missing-input", "error", `an \`extract\` reads its source and takes no upstream records, but it depends on ${names}; remove it from \`depends_on\` (only \`sql\` steps may order an extract)`, f.span));
        }
        return;
      }
      const unknownDeps = step.dependsOn.some((d) => !kindOf.has(d.name));
      if ((kind.kind === "transform" || kind.kind === "load") && feeding.length === 0 && !unknownDeps) {
        const suggestion = suggestionBefore(at);
        const hint = suggestion ? `, e.g. \`depends_on: [${suggestion}]\`` : "";
        problems.push(problem("missing-input", "error", `a \`${kind.kind}\` needs an upstream step that produces records: add \`depends_on\` naming an extract or transform${hint}`, kind.keySpan, suggestion ? { suggestion } : {}));
      }
    });
    return problems;
  },
};
