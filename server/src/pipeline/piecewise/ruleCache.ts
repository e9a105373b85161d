/**
 * The rules' per-step problems kept per piece (step item) between updates of one document: a
 * piece whose text is unchanged reuses its problems, moved to its new offset, while the rule's
 * shared facts are the same as at the last update (`StepCheck.same`), or when it had no problems
 * and names none of the step ids whose facts changed since (`StepCheck.changedIds`).
 */
import type { Problem } from "../problem";
import type { StepOutline } from "../outline";
import type { StepCheck, StepProblemCache } from "../rules";
import { namesAny } from "../rules/rule";
import { movedProblem } from "./moves";

/** What the cache needs of a piece. */
export interface RulePiece {
  offset: number;
  rules: ({ generation: number; offset: number; problems: Problem[] } | undefined)[];
}

export class PieceRuleCache implements StepProblemCache {
  /** Per rule: the shared facts of the last update and their generation (bumped when they change). */
  private readonly last: ({ shared: unknown; generation: number } | undefined)[] = [];
  private readonly generations: number[] = [];
  /** Per rule: the ids whose facts changed since generation `since` (the one before the current). */
  private readonly changed: ({ since: number; ids: ReadonlySet<string> } | undefined)[] = [];
  /** The piece of each step of the outline being checked (by position in `outline.steps`). */
  pieces: (RulePiece | undefined)[] = [];

  begin(r: number, check: StepCheck, shared: unknown): unknown {
    const last = this.last[r];
    if (last && check.same(shared, last.shared)) {
      this.generations[r] = last.generation;
      this.changed[r] = undefined;
      return last.shared;
    }
    const generation = (last?.generation ?? 0) + 1;
    this.changed[r] = last && check.changedIds ? { since: last.generation, ids: check.changedIds(shared, last.shared) } : undefined;
    this.last[r] = { shared, generation };
    this.generations[r] = generation;
    return shared;
  }

  cached(r: number, position: number, step: StepOutline): Problem[] | undefined {
    const piece = this.pieces[position];
    const known = piece?.rules[r];
    if (!piece || !known) return undefined;
    if (known.generation !== this.generations[r]) {
      const changed = this.changed[r];
      if (!changed || known.generation !== changed.since || known.problems.length > 0 || namesAny(step, changed.ids)) return undefined;
      known.generation = this.generations[r] as number;
    }
    const d = piece.offset - known.offset;
    if (d !== 0 && known.problems.length > 0) {
      // New problem objects: an earlier result (still held by a caller) keeps its own.
      known.problems = known.problems.map((p) => movedProblem(p, d));
    }
    known.offset = piece.offset;
    return known.problems;
  }

  store(r: number, position: number, problems: Problem[]): void {
    const piece = this.pieces[position];
    if (piece) piece.rules[r] = { generation: this.generations[r] as number, offset: piece.offset, problems };
  }
}
