/**
 * Quick fixes as LSP code actions: the core's fixes (pipeline/quickFixes.ts) for each of our
 * diagnostics, plus appending `NAME=` — never the secret — to the `.env` beside the file for a
 * hardcoded secret.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { CodeActionKind, type CodeAction, type Diagnostic, type WorkspaceEdit } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { DiagnosticData } from "../protocol";
import type { ProblemCode } from "../pipeline/problem";
import { envAppendEdit, envFixTitle, quickFixes } from "../pipeline/quickFixes";
import type { Analysis } from "./analysis";
import { filePathOf } from "./envNames";
import { plainText } from "./plainText";

/** A quick fix; its title is shown as plain text, so the core's code-span backticks are dropped. */
function action(title: string, diagnostic: Diagnostic, edit: WorkspaceEdit, preferred: boolean): CodeAction {
  return { title: plainText(title), kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit, isPreferred: preferred };
}

/** Appends `NAME=` to the `.env` beside the pipeline file (created when missing). */
function envFileAction(document: TextDocument, diagnostic: Diagnostic, name: string): CodeAction | undefined {
  const path = filePathOf(document.uri);
  if (!path) return undefined;
  const envPath = join(dirname(path), ".env");
  const uri = pathToFileURL(envPath).toString();
  let existing: string | undefined;
  try {
    existing = readFileSync(envPath, "utf8");
  } catch {
    existing = undefined;
  }
  const append = envAppendEdit(existing, name);
  if (!append) return undefined;
  const envDoc = TextDocument.create(uri, "dotenv", 0, existing ?? "");
  const at = envDoc.positionAt(append.span.start);
  const edit: WorkspaceEdit = {
    documentChanges: [
      ...(existing === undefined ? [{ kind: "create" as const, uri, options: { ignoreIfExists: true } }] : []),
      { textDocument: { uri, version: null }, edits: [{ range: { start: at, end: at }, newText: append.newText }] },
    ],
  };
  return action(envFixTitle(name), diagnostic, edit, false);
}

function actionsFor(document: TextDocument, analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  const suggestion = (diagnostic.data as DiagnosticData | undefined)?.suggestion;
  if (suggestion === undefined) return [];
  const span = { start: document.offsetAt(diagnostic.range.start), end: document.offsetAt(diagnostic.range.end) };
  const problem = { code: diagnostic.code as ProblemCode, severity: "error" as const, message: diagnostic.message, span, suggestion };
  return quickFixes(document.getText(), analysis.outline, problem).flatMap((fix) => {
    const changes = { [document.uri]: fix.edits.map((e) => ({ range: { start: document.positionAt(e.span.start), end: document.positionAt(e.span.end) }, newText: e.newText })) };
    const env = fix.envName !== undefined ? envFileAction(document, diagnostic, fix.envName) : undefined;
    return [action(fix.title, diagnostic, { changes }, fix.preferred), ...(env ? [env] : [])];
  });
}

export function codeActions(document: TextDocument, analysis: Analysis, diagnostics: readonly Diagnostic[]): CodeAction[] {
  return diagnostics.filter((d) => d.source === "agent-etl").flatMap((d) => actionsFor(document, analysis, d));
}
