/** Core problems → LSP diagnostics (offsets become line/character here, at the edge). */
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Problem, Severity } from "../pipeline/problem";

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(document: TextDocument, p: Problem): Diagnostic {
  const range = { start: document.positionAt(p.span.start), end: document.positionAt(p.span.end) };
  return {
    range,
    severity: SEVERITY[p.severity],
    code: p.code,
    source: "agent-etl",
    message: p.message,
    ...(p.related?.length
      ? { relatedInformation: p.related.map((r) => ({ message: r.message, location: { uri: document.uri, range: { start: document.positionAt(r.span.start), end: document.positionAt(r.span.end) } } })) }
      : {}),
    ...(p.suggestion !== undefined ? { data: { suggestion: p.suggestion } } : {}),
  };
}
