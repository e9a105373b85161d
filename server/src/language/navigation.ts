/** Go to definition, find references and rename for step ids and connection names. */
import { ResponseError, ErrorCodes, type Location, type Range, type TextEdit, type WorkspaceEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { IDENTIFIER_PATTERN } from "../pipeline/model";
import type { Analysis } from "./analysis";
import { toLocation, toRange } from "./ranges";
import { contentSpan, refAt, refsTo } from "./refs";

export function definition(document: TextDocument, analysis: Analysis, offset: number): Location | null {
  const ref = refAt(analysis.outline, offset);
  if (!ref) return null;
  const def = refsTo(analysis.outline, ref.kind, ref.name).find((r) => r.definition);
  return def ? toLocation(document, def.span) : null;
}

export function references(document: TextDocument, analysis: Analysis, offset: number, includeDeclaration: boolean): Location[] {
  const ref = refAt(analysis.outline, offset);
  if (!ref) return [];
  return refsTo(analysis.outline, ref.kind, ref.name)
    .filter((r) => includeDeclaration || !r.definition)
    .map((r) => toLocation(document, r.span));
}

export function prepareRename(document: TextDocument, analysis: Analysis, offset: number): { range: Range; placeholder: string } | null {
  const ref = refAt(analysis.outline, offset);
  if (!ref) return null;
  return { range: toRange(document, contentSpan(analysis.text, ref.span)), placeholder: ref.name };
}

/** Renames every occurrence; refuses (with a message) a name that is not an identifier or is taken. */
export function rename(document: TextDocument, analysis: Analysis, offset: number, newName: string): WorkspaceEdit {
  const ref = refAt(analysis.outline, offset);
  if (!ref) throw new ResponseError(ErrorCodes.InvalidRequest, "Put the cursor on a step id or a connection name to rename it.");
  const what = ref.kind === "step" ? "step id" : "connection name";
  if (!new RegExp(IDENTIFIER_PATTERN).test(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `\`${newName}\` is not a valid ${what}: use lowercase letters, digits and \`_\`, starting with a letter (at most 63).`);
  }
  const taken = ref.kind === "step" ? analysis.outline.steps.some((s) => s.id?.name === newName) : analysis.outline.connections.has(newName);
  if (taken && newName !== ref.name) throw new ResponseError(ErrorCodes.InvalidParams, `\`${newName}\` is already used as a ${what} in this file; pick another name.`);
  const edits: TextEdit[] = refsTo(analysis.outline, ref.kind, ref.name).map((r) => ({ range: toRange(document, contentSpan(analysis.text, r.span)), newText: newName }));
  return { changes: { [document.uri]: edits } };
}
