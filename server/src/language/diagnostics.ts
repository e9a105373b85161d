/**
 * Core problems → LSP diagnostics (offsets become line/character here, at the edge; messages become
 * plain text when published, plainText.ts).
 */
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { planCap, type Listable } from "../pipeline/limits";
import type { Problem, Severity, Span } from "../pipeline/problem";
import { plainDiagnostic } from "./plainText";

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

const SEVERITY_OF: Record<DiagnosticSeverity, Severity> = {
  [DiagnosticSeverity.Error]: "error",
  [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "info",
  [DiagnosticSeverity.Hint]: "hint",
};

/**
 * What is published for a document: its problems and the live-analysis diagnostics, at most
 * `MAX_PROBLEMS` of them (the most severe first), then one note counting the rest (limits.ts).
 * Only what is listed is converted, so a file with 100,000 problems costs little more to publish than one with 200.
 * Every message leaves here as plain text (no code-span backticks): an editor does not render Markdown in them.
 */
export function publishable(document: TextDocument, problems: readonly Problem[], live: readonly Diagnostic[] = []): Diagnostic[] {
  const items: readonly Listable[] = live.length === 0 ? problems : [...problems, ...live.map((d) => ({ severity: SEVERITY_OF[d.severity ?? DiagnosticSeverity.Error] }))];
  const plan = planCap(items);
  const out: Diagnostic[] = [];
  plan.shown.forEach((listed, i) => {
    if (listed) out.push(plainDiagnostic(i < problems.length ? toDiagnostic(document, problems[i] as Problem) : (live[i - problems.length] as Diagnostic)));
  });
  if (!plan.note) return out;
  const at = plan.firstHidden < problems.length ? rangeOf(document, (problems[plan.firstHidden] as Problem).span) : (live[plan.firstHidden - problems.length] as Diagnostic).range;
  out.push(plainDiagnostic({ range: at, severity: SEVERITY[plan.note.severity], code: "too-many-problems", source: "agent-etl", message: plan.note.message }));
  return out;
}

function rangeOf(document: TextDocument, span: Span): Diagnostic["range"] {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}
