/** Diagnostics as an editor shows them: messages without Markdown code-span markers (`../plainText.ts`). */
import type { Diagnostic } from "vscode-languageserver";
import { plainText } from "../plainText";

export { plainText } from "../plainText";

/** A diagnostic as an editor shows it: its message and related messages as plain text. */
export function plainDiagnostic(d: Diagnostic): Diagnostic {
  const plain: Diagnostic = { ...d, message: plainText(d.message) };
  if (d.relatedInformation) plain.relatedInformation = d.relatedInformation.map((r) => ({ ...r, message: plainText(r.message) }));
  return plain;
}
