/** Every place a step id or connection name is written, from the outline: for navigation and rename. */
import type { PipelineOutline } from "../pipeline/outline";
import type { Span } from "../pipeline/problem";
import { contains } from "./ranges";

export type NameKind = "step" | "connection";

export interface NameRef {
  kind: NameKind;
  name: string;
  span: Span;
  /** True for the place that defines the name (a step's `id`, a key under `connections:`). */
  definition: boolean;
}

function collectRefs(outline: PipelineOutline): NameRef[] {
  const refs: NameRef[] = [];
  for (const step of outline.steps) {
    if (step.id) refs.push({ kind: "step", name: step.id.name, span: step.id.span, definition: true });
    for (const r of [...step.dependsOn, ...(step.input ? [step.input] : []), ...step.joins]) refs.push({ kind: "step", name: r.name, span: r.span, definition: false });
    if (step.connection) refs.push({ kind: "connection", name: step.connection.name, span: step.connection.span, definition: false });
  }
  for (const c of outline.connections.values()) refs.push({ kind: "connection", name: c.name, span: c.keySpan, definition: true });
  if (outline.staging) refs.push({ kind: "connection", name: outline.staging.name, span: outline.staging.span, definition: false });
  return refs;
}

export function refAt(outline: PipelineOutline, offset: number): NameRef | undefined {
  return collectRefs(outline).find((r) => contains(r.span, offset));
}

export function refsTo(outline: PipelineOutline, kind: NameKind, name: string): NameRef[] {
  return collectRefs(outline).filter((r) => r.kind === kind && r.name === name);
}

/** The span of a scalar's content: inside the quotes of a quoted scalar. */
export function contentSpan(text: string, span: Span): Span {
  const first = text[span.start];
  if ((first === '"' || first === "'") && span.end - span.start >= 2 && text[span.end - 1] === first) return { start: span.start + 1, end: span.end - 1 };
  return span;
}
