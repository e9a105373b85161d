/**
 * What analysing a pipeline's sources needs of a file: valid connections, not a valid pipeline. A
 * half-written file (a step still missing its `table`) can be analysed; its problems outside
 * `connections:` are set aside, and the steps that are not valid yet are left out. A file whose
 * connections have errors, or that is not readable YAML, is refused with those errors. Pure.
 */
import type { Node } from "yaml";
import { asStep, PipelineSchema, StepSchema, type Pipeline, type Step } from "./model";
import { pairOf, spanOf } from "./nodes";
import type { Problem, Span } from "./problem";
import { parseYaml } from "./parse";
import type { ValidationResult } from "./validate";

/** The part of a pipeline analysis reads. */
export type AnalysedPart = Pick<Pipeline, "connections" | "steps">;

export type ConnectionsView =
  | { ok: true; pipeline: AnalysedPart; /** Errors outside `connections:`, set aside. */ elsewhere: Problem[] }
  | { ok: false; /** Why the connections cannot be analysed. */ refusals: Problem[] };

/** Problems after which nothing in the file can be trusted to be what it says. */
const UNREADABLE = new Set<Problem["code"]>(["yaml-syntax", "file-too-large", "internal-error"]);

const ConnectionsSchema = PipelineSchema.shape.connections;

function within(span: Span, section: Span): boolean {
  return span.start >= section.start && span.end <= section.end;
}

/** The connections and usable steps of a checked file (`result` is `validatePipeline(text)`). */
export function connectionsView(text: string, result: ValidationResult): ConnectionsView {
  if (result.pipeline) return { ok: true, pipeline: result.pipeline, elsewhere: [] };
  const errors = result.problems.filter((p) => p.severity === "error");
  if (errors.some((p) => UNREADABLE.has(p.code))) return { ok: false, refusals: errors };
  const parsed = parseYaml(text);
  const data = parsed.data as { connections?: unknown; steps?: unknown } | null | undefined;
  const pair = pairOf(parsed.doc, result.outline.root, "connections");
  const section = pair ? { start: spanOf(pair.key as Node).start, end: spanOf(pair.value as Node, spanOf(pair.key as Node)).end } : undefined;
  const inConnections = section ? errors.filter((p) => within(p.span, section)) : [];
  const connections = ConnectionsSchema.safeParse(data?.connections);
  if (inConnections.length > 0 || !connections.success) {
    return { ok: false, refusals: inConnections.length > 0 ? inConnections : errors };
  }
  const steps = Array.isArray(data?.steps) ? data.steps.flatMap((s: unknown): Step[] => {
    const step = StepSchema.safeParse(s);
    return step.success ? [asStep(step.data)] : [];
  }) : [];
  return { ok: true, pipeline: { connections: connections.data, steps }, elsewhere: errors };
}
