/**
 * The open documents' text, as `TextDocuments` keeps it, with line positions that stay right.
 * `vscode-languageserver-textdocument` (1.0.12) updates its line index piece by piece after a range
 * edit, and miscounts when the edit joins a `\r` and a `\n` into one line break or splits one (an
 * inserted `\r` before an existing `\n`, a deletion between them, …): from there on every position it
 * gives is a line off, so diagnostics (a `missing-env` below such an edit, say) and the places of
 * completion and hover requests land on the wrong line. A text holding a `\r` gets its index rebuilt
 * from the text after each edit; the common case (no `\r` at all) keeps the incremental one.
 */
import type { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";

export const LINE_SAFE_DOCUMENTS: TextDocumentsConfiguration<TextDocument> = {
  create: (uri, languageId, version, content) => TextDocument.create(uri, languageId, version, content),
  update(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    const updated = TextDocument.update(document, changes, version);
    const text = updated.getText();
    if (!text.includes("\r")) return updated;
    return TextDocument.create(updated.uri, updated.languageId, version, text);
  },
};
