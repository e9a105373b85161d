/**
 * Quick fixes from the problems' own suggestions: did-you-mean replacements (keys, values, step ids,
 * connections), a free id for a duplicate, `${env:NAME}` for a hardcoded secret (plus appending
 * `NAME=` — never the secret — to the `.env` beside the file), and `depends_on` for a missing input.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { CodeActionKind, type CodeAction, type Diagnostic, type WorkspaceEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { DiagnosticData } from "../protocol";
import type { Analysis } from "./analysis";
import { filePathOf } from "./envNames";


function fix(title: string, diagnostic: Diagnostic, edit: WorkspaceEdit, preferred = true): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit, isPreferred: preferred };
}

function replace(document: TextDocument, diagnostic: Diagnostic, newText: string): WorkspaceEdit {
  return { changes: { [document.uri]: [{ range: diagnostic.range, newText }] } };
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
  if (existing !== undefined && new RegExp(`^\\s*(export\\s+)?${name}\\s*=`, "m").test(existing)) return undefined;
  const lines = existing === undefined ? [""] : existing.split("\n");
  const end = { line: lines.length - 1, character: (lines[lines.length - 1] ?? "").length };
  const prefix = existing && !existing.endsWith("\n") ? "\n" : "";
  const edit: WorkspaceEdit = {
    documentChanges: [
      ...(existing === undefined ? [{ kind: "create" as const, uri, options: { ignoreIfExists: true } }] : []),
      { textDocument: { uri, version: null }, edits: [{ range: { start: end, end }, newText: `${prefix}${name}=\n` }] },
    ],
  };
  return fix(`Add \`${name}=\` to .env (fill in the value there)`, diagnostic, edit, false);
}

function missingInputFix(document: TextDocument, analysis: Analysis, diagnostic: Diagnostic, upstream: string): CodeAction | undefined {
  const offset = document.offsetAt(diagnostic.range.start);
  const step = analysis.outline.steps.find((s) => s.kinds.some((k) => k.keySpan.start === offset));
  if (!step || step.dependsOnKey) return undefined;
  const at = document.positionAt(offset);
  const indent = " ".repeat(at.character);
  const edit = { changes: { [document.uri]: [{ range: { start: at, end: at }, newText: `depends_on: [${upstream}]\n${indent}` }] } };
  return fix(`Add \`depends_on: [${upstream}]\``, diagnostic, edit);
}

function actionsFor(document: TextDocument, analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  const suggestion = (diagnostic.data as DiagnosticData | undefined)?.suggestion;
  if (suggestion === undefined) return [];
  switch (diagnostic.code) {
    case "hardcoded-secret": {
      const name = /^\$\{env:([A-Za-z0-9_]+)\}$/.exec(suggestion)?.[1];
      const env = name ? envFileAction(document, diagnostic, name) : undefined;
      return [fix(`Replace the secret with \`${suggestion}\``, diagnostic, replace(document, diagnostic, suggestion)), ...(env ? [env] : [])];
    }
    case "missing-input": {
      const action = missingInputFix(document, analysis, diagnostic, suggestion);
      return action ? [action] : [];
    }
    case "template-in-sql-literal":
      return [fix("Remove the quotes: bind the template as a value", diagnostic, replace(document, diagnostic, suggestion))];
    case "duplicate-step-id":
      return [fix(`Rename to \`${suggestion}\``, diagnostic, replace(document, diagnostic, suggestion))];
    default:
      return [fix(`Change to \`${suggestion}\``, diagnostic, replace(document, diagnostic, suggestion))];
  }
}

export function codeActions(document: TextDocument, analysis: Analysis, diagnostics: readonly Diagnostic[]): CodeAction[] {
  return diagnostics.filter((d) => d.source === "agent-etl").flatMap((d) => actionsFor(document, analysis, d));
}

