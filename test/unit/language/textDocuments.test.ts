/**
 * The server's open-document text keeps right line positions after range edits that join a `\r` and a
 * `\n` into one line break, or split one: positions equal those of the same text opened afresh.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { LINE_SAFE_DOCUMENTS } from "../../../server/src/language/textDocuments";
import { seededRng } from "../../support/mutate";

/** Applies a range edit given in offsets; asserts every offset's position (and back) equals a fresh document's. */
function editAndCompare(text: string, start: number, end: number, insert: string): string {
  let doc = LINE_SAFE_DOCUMENTS.create("file:///t.etl.yaml", "etl-pipeline", 1, text);
  doc = LINE_SAFE_DOCUMENTS.update(doc, [{ range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: insert }], 2);
  const after = doc.getText();
  const fresh = TextDocument.create("file:///t.etl.yaml", "etl-pipeline", 2, after);
  assert.equal(doc.lineCount, fresh.lineCount, JSON.stringify({ text, start, end, insert }));
  for (let o = 0; o <= after.length; o++) {
    assert.deepEqual(doc.positionAt(o), fresh.positionAt(o), `offset ${o} of ${JSON.stringify(after)}`);
    assert.equal(doc.offsetAt(fresh.positionAt(o)), fresh.offsetAt(fresh.positionAt(o)));
  }
  return after;
}

describe("line positions after edits around line breaks", () => {
  const cases: [string, string, number, number, string][] = [
    ["a \\r inserted before a \\n", "a\nb\nc\n", 1, 1, "\r"],
    ["a \\n inserted after a \\r", "a\rb\n", 2, 2, "\n"],
    ["a \\n appended after a final \\r", "a\r", 2, 2, "\nb"],
    ["a deletion between \\r and \\n", "a\rx\nb\n", 2, 3, ""],
    ["a deletion that splits \\r\\n", "a\r\nb\n", 1, 1, "x"],
    ["a CRLF line inserted into an LF file", "a\nb\n", 2, 2, "x\r\n"],
    ["a replacement ending in \\r before a \\n", "key: v\nnext: w\n", 5, 6, "value\r"],
    ["the \\r of the only \\r\\n deleted", "a\r\nb\nc", 1, 2, ""],
    ["the only lone \\r deleted", "a\rb\nc", 1, 2, ""],
    ["a lone \\r replaced by a \\n", "a\rb\nc", 1, 2, "\n"],
  ];
  for (const [what, text, start, end, insert] of cases) it(what, () => void editAndCompare(text, start, end, insert));

  it("500 seeded random edits of texts with \\r, \\n and \\r\\n", () => {
    const rng = seededRng(17);
    let text = "version: 1\r\nname: p\nconnections:\r  db:\r\n    url: ${env:X}\n";
    for (let i = 0; i < 500; i++) {
      const start = rng.int(text.length + 1);
      const end = Math.min(text.length, start + rng.int(4));
      const insert = Array.from({ length: rng.int(4) }, () => rng.pick(["\r", "\n", "\r\n", "x", " "])).join("");
      text = editAndCompare(text, start, end, insert);
      if (text.length > 400) text = text.slice(0, 200);
    }
  });
});
