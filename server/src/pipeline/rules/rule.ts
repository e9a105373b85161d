import type { Dag } from "../../dag/graph";
import type { PipelineOutline } from "../outline";
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

/** A semantic rule: one job, one code, `check(input) → Problem[]`. */
export interface Rule {
  code: ProblemCode;
  check(input: RuleInput): Problem[];
}
