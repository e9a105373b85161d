/** Offsets ↔ LSP ranges, at the edge (the core works in offsets). */
import type { Location, Range } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../pipeline/problem";

export function toRange(document: TextDocument, span: Span): Range {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}

export function toLocation(document: TextDocument, span: Span): Location {
  return { uri: document.uri, range: toRange(document, span) };
}

/** True when `offset` falls inside the span or touches its end (the cursor just after a word). */
export function contains(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}
