import type { Dag } from "../../dag/graph";
import type { PipelineOutline, StepOutline } from "../outline";
import type { Problem, ProblemCode } from "../problem";

/** What the caller knows about the world outside the text (the core does no I/O). */
export interface RuleContext {
  /** Names defined in the environment and `.env` files; when absent, `missing-env` is not checked. */
  envNames?: ReadonlySet<string>;
}

export interface RuleInput {
  text: string;
  outline: PipelineOutline;
  dag: Dag;
  context: RuleContext;
}

/**
 * The per-step part of a rule. A step's problems lie inside that step and depend only on the step,
 * its position in `outline.steps` and on `shared` (facts about the whole file, built once per
 * check). So a caller that keeps results per step (the language server's piecewise validator)
 * may reuse a step's problems while the step's text is unchanged and `same(shared, previous)`.
 * Such a caller may also hand `step` the earlier, equal `shared` (so what it builds lazily is
 * built once): positions in problems come from the step, never from `shared`.
 */
export interface StepCheck<S = unknown> {
  shared(input: RuleInput): S;
  /** True when `step` would give the same results for every step under `a` as under `b`. */
  same(a: S, b: S): boolean;
  /**
   * For when `same(a, b)` is false: the step ids whose facts differ between `b` (the earlier) and
   * `a`. A step that had no problems under `b` and names none of them (in `depends_on`, `input` or
   * `join.with`) has none under `a` either, at any position, so a caller may keep its result: a
   * renamed, added or deleted step then re-checks only the steps that name it.
   */
  changedIds?(a: S, b: S): ReadonlySet<string>;
  step(step: StepOutline, shared: S, position: number): Problem[];
}

/** A semantic rule: one job, one code. Its per-step problems (`steps`) are reported before `check`'s. */
export interface Rule {
  code: ProblemCode;
  steps?: StepCheck;
  check?(input: RuleInput): Problem[];
}

/** A per-step check with its shared facts typed (held type-erased in `Rule.steps`). */
export function stepCheck<S>(check: StepCheck<S>): StepCheck {
  return check as unknown as StepCheck;
}

/**
 * Keeps per-step problems between checks (see StepCheck). `begin` is called once per rule and
 * check with the rule's shared facts; it returns the facts to check with: the last check's, when
 * they are the same (so what they build lazily is built once), else these. Then `cached` and
 * `store` for each step position.
 */
export interface StepProblemCache {
  begin(r: number, check: StepCheck, shared: unknown): unknown;
  cached(r: number, position: number, step: StepOutline): Problem[] | undefined;
  store(r: number, position: number, problems: Problem[]): void;
}

/** The problems of every rule, each rule's per-step part first. `cache` may keep per-step problems between checks. */
export function runRules(rules: readonly Rule[], input: RuleInput, out: Problem[], cache?: StepProblemCache): void {
  const steps = input.outline.steps;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as Rule;
    const check = rule.steps;
    if (check) {
      const fresh = check.shared(input);
      const shared = cache ? cache.begin(r, check, fresh) : fresh;
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i] as StepOutline;
        let found = cache?.cached(r, i, step);
        if (found === undefined) {
          found = check.step(step, shared, i);
          cache?.store(r, i, found);
        }
        for (let k = 0; k < found.length; k++) out.push(found[k] as Problem);
      }
    }
    if (rule.check) for (const p of rule.check(input)) out.push(p);
  }
}

/**
 * The ids at the positions where two lists of steps differ, once their common head and tail are set
 * aside (an edit changes a run of steps and moves the rest). `a` and `b` are the lists' ids by
 * position; `equal(i, j)` compares position `i` of `a` with position `j` of `b`.
 */
export function idsBetween(a: readonly (string | undefined)[], b: readonly (string | undefined)[], equal: (i: number, j: number) => boolean): Set<string> {
  let head = 0;
  while (head < a.length && head < b.length && equal(head, head)) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && equal(a.length - 1 - tail, b.length - 1 - tail)) tail++;
  const out = new Set<string>();
  for (const list of [a, b]) {
    for (let i = head; i < list.length - tail; i++) {
      const id = list[i];
      if (id !== undefined) out.add(id);
    }
  }
  return out;
}

/** True when a step names one of `ids` in `depends_on`, `input` or `join.with`. */
export function namesAny(step: StepOutline, ids: ReadonlySet<string>): boolean {
  if (step.input && ids.has(step.input.name)) return true;
  return step.dependsOn.some((r) => ids.has(r.name)) || step.joins.some((r) => ids.has(r.name));
}

/** True when two lists hold the same values in the same order. */
export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
