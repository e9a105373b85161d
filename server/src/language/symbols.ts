/** Document symbols (the outline view) and folding ranges. */
import { SymbolKind, type DocumentSymbol, type FoldingRange } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Analysis } from "./analysis";
import { toRange } from "./ranges";

export function documentSymbols(document: TextDocument, analysis: Analysis): DocumentSymbol[] {
  const { outline } = analysis;
  const out: DocumentSymbol[] = [];
  const connections = [...outline.connections.values()].map((c) => ({
    name: c.name,
    detail: c.type ?? "",
    kind: SymbolKind.Object,
    range: toRange(document, c.span),
    selectionRange: toRange(document, c.keySpan),
  }));
  if (outline.connectionsKey && connections.length > 0) {
    const last = [...outline.connections.values()].pop();
    const range = toRange(document, { start: outline.connectionsKey.start, end: last?.span.end ?? outline.connectionsKey.end });
    out.push({ name: "connections", kind: SymbolKind.Namespace, range, selectionRange: toRange(document, outline.connectionsKey), children: connections });
  }
  for (const step of outline.steps) {
    const head = step.id?.span ?? step.kinds[0]?.keySpan ?? step.span;
    out.push({
      name: step.id?.name ?? `step ${step.index + 1}`,
      detail: step.kinds.map((k) => k.kind).join(", "),
      kind: SymbolKind.Function,
      range: toRange(document, step.span),
      selectionRange: toRange(document, head),
    });
  }
  return out;
}

/** Indentation-based folding: every key or list item whose block spans several lines. Works on broken files. */
export function foldingRanges(lines: readonly string[]): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const open: { line: number; indent: number }[] = [];
  let lastContent = -1;
  const closeTo = (indent: number) => {
    while (open.length > 0 && (open[open.length - 1]?.indent ?? 0) >= indent) {
      const o = open.pop() as { line: number; indent: number };
      if (lastContent > o.line) ranges.push({ startLine: o.line, endLine: lastContent });
    }
  };
  lines.forEach((line, n) => {
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const indent = line.length - trimmed.length;
    closeTo(indent + (trimmed.startsWith("- ") || trimmed === "-" ? 0 : 0));
    open.push({ line: n, indent });
    lastContent = n;
  });
  closeTo(-1);
  return ranges.sort((a, b) => a.startLine - b.startLine);
}
