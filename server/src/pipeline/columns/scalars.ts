/** Names written in YAML scalars, with the exact span of each (also for a name inside a longer scalar). */
import { isScalar, type Node } from "yaml";
import { asMap, asSeq, deref, keyName, pairsOf, spanOf, type AnyDoc } from "../nodes";
import type { Span } from "../problem";

export interface Named {
  name: string;
  span: Span;
}

/** The string (or number) in a scalar node with its span. */
export function named(doc: AnyDoc, node: unknown): Named | undefined {
  const n = deref(doc, node);
  if (!isScalar(n) || (typeof n.value !== "string" && typeof n.value !== "number") || n.value === "") return undefined;
  return { name: String(n.value), span: spanOf(n) };
}

/** A scalar, or each item of a list of scalars. */
export function namedList(doc: AnyDoc, node: unknown): Named[] {
  const seq = asSeq(doc, node);
  if (seq) return seq.items.map((i) => named(doc, i)).filter((n): n is Named => n !== undefined);
  const one = named(doc, node);
  return one ? [one] : [];
}

/** The keys of a map, and its values when they are scalars. */
export function namedPairs(doc: AnyDoc, node: unknown): { key: Named; value?: Named; valueNode?: Node }[] {
  const map = asMap(doc, node);
  if (!map) return [];
  const out: { key: Named; value?: Named; valueNode?: Node }[] = [];
  for (const pair of pairsOf(doc, map)) {
    const name = keyName(pair);
    if (name === undefined) continue;
    const value = named(doc, pair.value);
    const valueNode = deref(doc, pair.value);
    out.push({ key: { name, span: spanOf(pair.key as Node) }, ...(value ? { value } : {}), ...(valueNode ? { valueNode } : {}) });
  }
  return out;
}

/**
 * The span of `text.slice(index, index + length)` inside a scalar whose value is `text`: exact for a
 * plain or simply quoted scalar, the whole scalar when escapes or folding make offsets uncertain.
 */
export function innerSpan(node: Node | undefined, text: string, index: number, length: number): Span {
  const span = spanOf(node);
  const width = span.end - span.start;
  if (isScalar(node) && width === text.length && node.type === "PLAIN") return { start: span.start + index, end: span.start + index + length };
  if (isScalar(node) && width === text.length + 2 && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")) return { start: span.start + 1 + index, end: span.start + 1 + index + length };
  return span;
}
