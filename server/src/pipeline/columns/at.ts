/** Which columns fit at an offset: the step and transform op holding it, and the set they read. */
import { asMap, asSeq, spanOf } from "../nodes";
import type { PipelineOutline, StepOutline } from "../outline";
import type { Column, ColumnSet, Propagation } from "./types";

export interface ColumnsAt {
  stepId: string;
  opIndex?: number;
  /** The columns a name written here may be (for a join: both sides). */
  columns: ColumnSet;
  /** The step these columns come from (for the completion item's detail). */
  from: string;
}

/** The last step that starts at or before `offset`. */
export function stepAt(outline: PipelineOutline, offset: number): StepOutline | undefined {
  let found: StepOutline | undefined;
  for (const s of outline.steps) {
    if (s.span.start <= offset) found = s;
    else break;
  }
  return found;
}

function union(a: ColumnSet, b: ColumnSet): ColumnSet {
  if (a === "unknown") return b;
  if (b === "unknown") return a;
  const names = new Set(a.map((c) => c.name));
  return [...a, ...b.filter((c: Column) => !names.has(c.name))];
}

export function columnsAt(outline: PipelineOutline, propagation: Propagation, offset: number, upstreamOf: (s: StepOutline) => string | undefined): ColumnsAt | undefined {
  const step = stepAt(outline, offset);
  const id = step?.id?.name;
  const columns = id ? propagation.steps.get(id) : undefined;
  if (!step || !id || !columns) return undefined;
  const kind = step.kinds[0];
  // Inside `checks:` names are of the step's own output, wherever the key sits in the step.
  const checks = step.checks;
  if (checks && offset >= checks.keySpan.start && offset <= spanOf(checks.node, checks.keySpan).end) return { stepId: id, columns: columns.output, from: id };
  const from = kind?.kind === "extract" ? id : (upstreamOf(step) ?? id);
  if (kind?.kind !== "transform") return { stepId: id, columns: columns.input, from };
  const items = asSeq(outline.doc, kind.node)?.items ?? [];
  let opIndex = -1;
  items.forEach((item, i) => {
    if (spanOf(asMap(outline.doc, item)).start <= offset) opIndex = i;
  });
  if (opIndex < 0) return { stepId: id, columns: columns.input, from };
  const input = columns.opInputs[opIndex] ?? "unknown";
  const right = columns.joinRight.get(opIndex);
  return { stepId: id, opIndex, columns: right === undefined ? input : union(input, right), from };
}
