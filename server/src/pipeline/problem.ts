/** A half-open range of character offsets into the pipeline text: `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

export type Severity = "error" | "warning" | "info" | "hint";

/** Stable diagnostic codes (docs/pipeline-spec.md, "Diagnostics"). Tools switch on these, never on messages. */
export type ProblemCode =
  | "yaml-syntax"
  | "schema"
  | "duplicate-step-id"
  | "unknown-step"
  | "cycle"
  | "join-not-upstream"
  | "unknown-connection"
  | "connection-type"
  | "missing-input"
  | "invalid-expression"
  | "invalid-schedule"
  | "missing-env"
  | "hardcoded-secret"
  | "url-credentials"
  | "unknown-column"
  | "type-mismatch"
  | "schema-drift"
  | "unused-connection"
  | "template-in-sql-literal"
  | "name-too-long"
  | "checks-placement"
  | "on-error-placement"
  | "rejected-table"
  | "lag-append"
  | "internal-error"
  | "file-too-large"
  | "too-many-problems";

export interface RelatedInfo {
  message: string;
  span: Span;
}

/**
 * A user's mistake, as a value. `suggestion` is the replacement text a quick fix can offer
 * for the span (e.g. the closest valid key), when there is one.
 */
export interface Problem {
  code: ProblemCode;
  severity: Severity;
  message: string;
  span: Span;
  related?: RelatedInfo[];
  suggestion?: string;
  /**
   * Set on a `too-many-problems` stand-in: a check that found more than `MAX_PROBLEMS` problems
   * made only that many and counts the rest here (of this problem's severity). limits.ts totals them.
   */
  omitted?: number;
}

/**
 * A problem at `span`. Spans are copied: outlines kept by the language server are moved in place
 * after an edit, and a problem must keep the place it was made for.
 */
export function problem(
  code: ProblemCode,
  severity: Severity,
  message: string,
  span: Span,
  extra: Pick<Problem, "related" | "suggestion" | "omitted"> = {},
): Problem {
  const p: Problem = { code, severity, message, span: { start: span.start, end: span.end } };
  if (extra.related) p.related = extra.related.map((r) => ({ message: r.message, span: { start: r.span.start, end: r.span.end } }));
  if (extra.suggestion !== undefined) p.suggestion = extra.suggestion;
  if (extra.omitted !== undefined) p.omitted = extra.omitted;
  return p;
}

/** Sorts problems by position, then severity, so every front end prints them in one order. */
export function sortProblems(problems: Problem[]): Problem[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };
  return problems.sort((a, b) => a.span.start - b.span.start || rank[a.severity] - rank[b.severity] || a.span.end - b.span.end);
}

/**
 * A failure of agent-etl itself while checking a file (a bug, never the user's mistake), as a
 * problem at the top of the file: the file was not fully checked, and the user is asked to report it.
 * `what` names the work that failed (e.g. "checking this file", "completion").
 */
export function internalError(what: string, err: unknown): Problem {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const message = `agent-etl failed while ${what} (${detail.slice(0, 300)}): a bug in agent-etl, not a mistake in this file, so other problems may be missing; please report it with the file's text (the smallest version that still fails) and the log`;
  return problem("internal-error", "error", message, { start: 0, end: 0 });
}
