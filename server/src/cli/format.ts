/** Diagnostics for people (compiler style) and for tools (JSON with 1-based positions). */
import { capProblems, countOf, type Listable } from "../pipeline/limits";
import { LineIndex } from "../pipeline/positions";
import type { Problem, Severity } from "../pipeline/problem";

export interface FileDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
  related?: { line: number; column: number; message: string }[];
}

/** A file's problems for output: at most `MAX_PROBLEMS` of them, then a note counting the rest (limits.ts). */
export function toFileDiagnostics(file: string, text: string, problems: readonly Problem[]): FileDiagnostic[] {
  const index = new LineIndex(text);
  return capProblems(problems).map((p) => {
    const start = index.positionAt(p.span.start);
    const end = index.positionAt(p.span.end);
    const d: FileDiagnostic = { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1, severity: p.severity, code: p.code, message: p.message };
    if (p.related?.length) {
      d.related = p.related.map((r) => {
        const at = index.positionAt(r.span.start);
        return { line: at.line + 1, column: at.character + 1, message: r.message };
      });
    }
    return d;
  });
}

export function formatText(diagnostics: readonly FileDiagnostic[]): string {
  const lines: string[] = [];
  for (const d of diagnostics) {
    lines.push(`${d.file}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}`);
    for (const r of d.related ?? []) lines.push(`${d.file}:${r.line}:${r.column}: note: ${r.message}`);
  }
  return lines.join("\n");
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/** `✖ 3 errors, 1 warning in 2 files`; counts every problem, listed or not (`problems`: all files' problems). */
export function summary(problems: readonly Listable[], fileCount: number): string {
  const count = (s: Severity) => countOf(problems, s);
  const errors = count("error");
  const warnings = count("warning");
  const hints = count("hint") + count("info");
  const files = plural(fileCount, "file");
  if (errors + warnings + hints === 0) return `✓ ${files} valid`;
  const parts = [plural(errors, "error"), plural(warnings, "warning"), ...(hints > 0 ? [plural(hints, "hint")] : [])];
  return `${errors > 0 ? "✖" : "✓"} ${parts.join(", ")} in ${files}`;
}

export { escapeControls } from "../controlChars";
