/**
 * `unknown-column`: a name that is not among the columns it must be one of, reported only when
 * those columns are known for certain (false warnings are worse than none).
 */
import { problem, type Problem } from "../problem";
import { closest } from "../suggest";
import type { Column, ColumnRef, Propagation } from "./types";

const SHOWN = 8;

function where(ref: ColumnRef): string {
  switch (ref.role) {
    case "extract.columns":
    case "incremental":
      return `the source of step \`${ref.from}\``;
    case "check":
      return `the output of step \`${ref.stepId}\` (what its checks test)`;
    case "load.key":
      return `the records step \`${ref.stepId}\` loads (from \`${ref.from}\`)`;
    default:
      return ref.from === ref.stepId ? `the input of this transform op` : `the input of this op (from step \`${ref.from}\`)`;
  }
}

/** Column names of a set, as a list and a set, built once per set (many refs check against one set). */
const NAMES = new WeakMap<readonly Column[], { list: string[]; set: Set<string> }>();

function namesOf(columns: readonly Column[]): { list: string[]; set: Set<string> } {
  let names = NAMES.get(columns);
  if (!names) {
    const list = columns.map((c) => c.name);
    names = { list, set: new Set(list) };
    NAMES.set(columns, names);
  }
  return names;
}

export function unknownColumnProblem(ref: ColumnRef): Problem | undefined {
  if (ref.against === "unknown") return undefined;
  const { list: names, set } = namesOf(ref.against);
  if (set.has(ref.name)) return undefined;
  const suggestion = closest(ref.name, names);
  const listed = names.length === 0 ? "no columns" : `${names.slice(0, SHOWN).map((n) => `\`${n}\``).join(", ")}${names.length > SHOWN ? `, … (${names.length} in all)` : ""}`;
  const hint = suggestion !== undefined ? ` — did you mean \`${suggestion}\`?` : `; it has ${listed}`;
  return problem("unknown-column", "warning", `column \`${ref.name}\` is not in ${where(ref)}${hint}`, ref.span, suggestion !== undefined ? { suggestion } : {});
}

/** Every `unknown-column` problem of a propagation, in file order. */
export function unknownColumns(propagation: Propagation): Problem[] {
  const out: Problem[] = [];
  for (const ref of propagation.refs) {
    const p = unknownColumnProblem(ref);
    if (p) out.push(p);
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
