/** Moving positioned values by a number of characters (the piecewise validator's pieces move after an edit). */
import type { Problem, Span } from "../problem";

const moved = (s: Span, d: number): Span => ({ start: s.start + d, end: s.end + d });

/** A problem moved by `d` characters (a new object: earlier results keep theirs). */
export function movedProblem(p: Problem, d: number): Problem {
  return { ...p, span: moved(p.span, d), ...(p.related ? { related: p.related.map((r) => ({ ...r, span: moved(r.span, d) })) } : {}) };
}
