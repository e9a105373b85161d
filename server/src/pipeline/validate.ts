/** Text → problems, outline, graph and (when the file is valid) the typed pipeline. */
import { buildDag, type Dag } from "../dag/graph";
import { PipelineSchema, type Pipeline } from "./model";
import { buildOutline, type PipelineOutline } from "./outline";
import { parseYaml } from "./parse";
import type { AnyDoc } from "./nodes";
import { sortProblems, type Problem } from "./problem";
import { RULES, type RuleContext } from "./rules";
import { checkSchema } from "./schemaCheck";

export interface ValidationResult {
  problems: Problem[];
  outline: PipelineOutline;
  dag: Dag;
  /** The typed pipeline; present only when there are no errors. */
  pipeline?: Pipeline;
}

/** Validates pipeline text. Pure: everything it needs from outside comes in `context`. */
export function validatePipeline(text: string, context: RuleContext = {}): ValidationResult {
  const parsed = parseYaml(text);
  if (parsed.problems.length > 0) {
    const outline = buildOutline(parsed.doc);
    return { problems: sortProblems(parsed.problems), outline, dag: buildDag(outline) };
  }
  const { problems, outline, dag } = checkParsed(parsed.doc, parsed.data, text, context);
  const hasErrors = problems.some((p) => p.severity === "error");
  const typed = hasErrors ? undefined : PipelineSchema.safeParse(parsed.data);
  return { problems, outline, dag, ...(typed?.success ? { pipeline: typed.data } : {}) };
}

/**
 * Schema check and semantic rules over a YAML document that parsed without errors, and its data.
 * `validatePipeline` and the language server's incremental path (incremental.ts) share it.
 */
export function checkParsed(doc: AnyDoc, data: unknown, text: string, context: RuleContext, stepOf?: Parameters<typeof buildOutline>[1]): Omit<ValidationResult, "pipeline"> {
  const outline = buildOutline(doc, stepOf);
  const dag = buildDag(outline);
  const problems = checkSchema(doc, data, text);
  if (outline.root) {
    const input = { text, outline, dag, context };
    for (const rule of RULES) problems.push(...rule.check(input));
  }
  sortProblems(problems);
  return { problems, outline, dag };
}
