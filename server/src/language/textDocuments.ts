/**
 * The open documents' text, as `TextDocuments` keeps it, with line positions that stay right.
 * `vscode-languageserver-textdocument` (1.0.12) updates its line index piece by piece after a range
 * edit, and miscounts when the edit joins a `\r` and a `\n` into one line break or splits one (an
 * inserted `\r` before an existing `\n`, a deletion between them, …): from there on every position it
 * gives is a line off, so diagnostics (a `missing-env` below such an edit, say) and the places of
 * completion and hover requests land on the wrong line. Only such an edit gets the index rebuilt
 * from the text; every other edit (typing, in LF and CRLF files alike) keeps the incremental update.
 */
import type { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";

export const LINE_SAFE_DOCUMENTS: TextDocumentsConfiguration<TextDocument> = {
  create: (uri, languageId, version, content) => TextDocument.create(uri, languageId, version, content),
  update(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    let doc = document;
    for (const change of changes) {
      const joinsOrSplits = "range" in change && changesCrLf(doc.getText(), doc.offsetAt(change.range.start), doc.offsetAt(change.range.end), change.text);
      doc = TextDocument.update(doc, [change], version);
      if (joinsOrSplits) doc = TextDocument.create(doc.uri, doc.languageId, version, doc.getText());
    }
    return doc;
  },
};

/**
 * True when replacing `old[start, end)` by `text` makes or breaks a `\r\n` pair at either edge:
 * a `\r` just before the edit meets a `\n` after it (or loses the one it had), or the same at the end.
 */
function changesCrLf(old: string, start: number, end: number, text: string): boolean {
  const first = text.length > 0 ? text[0] : old[end];
  const last = text.length > 0 ? text[text.length - 1] : old[start - 1];
  const atStart = old[start - 1] === "\r" && (old[start] === "\n" || first === "\n");
  const atEnd = old[end] === "\n" && (old[end - 1] === "\r" || last === "\r");
  return atStart || atEnd;
}
