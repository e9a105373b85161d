/** Text → problems, outline, graph and (when the file is valid) the typed pipeline. */
import { buildDag, type Dag } from "../dag/graph";
import { asPipeline, PipelineSchema, type Pipeline } from "./model";
import { buildOutline, type PipelineOutline, type StepOutline } from "./outline";
import { textTooLarge } from "./limits";
import { parseYaml } from "./parse";
import { keepProtoKeys } from "./protoKeys";
import type { AnyDoc } from "./nodes";
import { Document, type YAMLMap } from "yaml";
import { sortProblems, type Problem } from "./problem";
import { RULES, runRules, type RuleContext, type StepProblemCache } from "./rules";
import { checkStep, checkTopLevel, stepItems } from "./schemaCheck";

export interface ValidationResult {
  problems: Problem[];
  outline: PipelineOutline;
  dag: Dag;
  /** The typed pipeline; present only when there are no errors. */
  pipeline?: Pipeline;
}

/** Validates pipeline text. Pure: everything it needs from outside comes in `context`. */
export function validatePipeline(text: string, context: RuleContext = {}): ValidationResult {
  const { data, ...checked } = check(text, context);
  if (data === undefined || checked.problems.some((p) => p.severity === "error")) return checked;
  const typed = PipelineSchema.safeParse(data);
  if (typed.success) keepProtoKeys(data, typed.data);
  return { ...checked, ...(typed.success ? { pipeline: asPipeline(typed.data) } : {}) };
}

/**
 * The problems, outline and graph of pipeline text, as `validatePipeline` gives them, without the
 * typed pipeline: for a caller that only reports problems (typing a large file costs a good part
 * of its check and of its memory).
 */
export function checkPipeline(text: string, context: RuleContext = {}): Omit<ValidationResult, "pipeline"> {
  const { data: _data, ...checked } = check(text, context);
  return checked;
}

/** The checks, and the parsed data when the YAML has no problems. */
function check(text: string, context: RuleContext): Omit<ValidationResult, "pipeline"> & { data?: unknown } {
  const refused = textTooLarge(text);
  if (refused) return refusedResult(refused);
  const parsed = parseYaml(text);
  if (parsed.problems.length > 0) {
    const outline = buildOutline(parsed.doc);
    return { problems: sortProblems(parsed.problems), outline, dag: buildDag(outline) };
  }
  return { ...checkParsed(parsed.doc, parsed.data, text, context), data: parsed.data };
}

/** A file that is not checked at all (too large): its one problem, an empty outline and graph. */
export function refusedResult(refusal: Problem): ValidationResult {
  const outline = buildOutline(new Document());
  return { problems: [refusal], outline, dag: buildDag(outline) };
}

/**
 * Per-step results a caller keeps between versions (the language server's incremental path). Each
 * must return exactly what is computed without it: `outlineOfStep(doc, node, index)` and
 * `checkStep(doc, data, text, index)`.
 */
export interface StepCache {
  outline?: (node: YAMLMap, index: number) => StepOutline;
  schema?: (index: number) => Problem[] | undefined;
  /** Must equal `buildDag(outline)`. */
  dag?: (outline: PipelineOutline) => Dag;
  /** Keeps the rules' per-step problems between checks. */
  rules?: StepProblemCache;
}

/**
 * Schema check and semantic rules over a YAML document that parsed without errors, and its data.
 * `validatePipeline` and the language server's incremental path (incremental.ts) share it.
 */
export function checkParsed(doc: AnyDoc, data: unknown, text: string, context: RuleContext, cache: StepCache = {}): Omit<ValidationResult, "pipeline"> {
  const outline = buildOutline(doc, cache.outline);
  const dag = cache.dag ? cache.dag(outline) : buildDag(outline);
  const problems = checkTopLevel(doc, data, text);
  const steps = stepItems(data);
  if (steps) {
    for (let i = 0; i < steps.length; i++) {
      const found = cache.schema?.(i) ?? checkStep(doc, data, text, i);
      for (const p of found) problems.push(p);
    }
  }
  if (outline.root) runRules(RULES, { text, outline, dag, context }, problems, cache.rules);
  sortProblems(problems);
  return { problems, outline, dag };
}
