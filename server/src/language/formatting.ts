/**
 * Document formatting: 2-space indentation, list items indented under their key, and keys in the
 * spec's order (top level, steps, connections, extract/load bodies). Comments stay with the keys they
 * sit above. The result is checked before it is offered: same data, same number of comments;
 * otherwise (or when the file does not parse) no edit is made.
 */
import { isDeepStrictEqual } from "node:util";
import { isMap, isNode, isPair, isSeq, Lexer, parseDocument, type Node, type Pair, type YAMLMap } from "yaml";
import type { TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { textTooLarge } from "../pipeline/limits";
import { keyName, plainValue } from "../pipeline/nodes";

const TOP = ["version", "name", "description", "schedule", "start_date", "owner", "tags", "params", "defaults", "staging", "connections", "steps"];
const STEP = ["id", "description", "depends_on", "input", "retries", "retry_delay", "retry_backoff", "timeout", "extract", "transform", "load", "sql"];
const BODY = ["connection"];
const CONNECTION = ["type"];

function sortMap(map: YAMLMap, order: readonly string[]): void {
  const rank = (p: unknown) => {
    const i = order.indexOf((isPair(p) ? keyName(p as Pair) : undefined) ?? "");
    return i < 0 ? order.length : i;
  };
  const items = map.items.map((p, i) => ({ p, i }));
  items.sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i);
  map.items = items.map((x) => x.p);
}

function valueOf(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((p) => isPair(p) && keyName(p) === key);
  return (pair?.value ?? undefined) as Node | undefined;
}

function reorder(root: YAMLMap): void {
  sortMap(root, TOP);
  const connections = valueOf(root, "connections");
  if (isMap(connections)) for (const p of connections.items) if (isMap(p.value)) sortMap(p.value, CONNECTION);
  const steps = valueOf(root, "steps");
  if (!isSeq(steps)) return;
  for (const step of steps.items) {
    if (!isMap(step)) continue;
    sortMap(step, STEP);
    for (const kind of ["extract", "load", "sql"]) {
      const body = valueOf(step, kind);
      if (isMap(body)) sortMap(body, BODY);
    }
  }
}

function commentCount(text: string): number {
  let n = 0;
  for (const token of new Lexer().lex(text)) if (token.startsWith("#")) n++;
  return n;
}

/** The formatted text, or undefined when the file cannot be formatted safely. */
export function formatText(text: string): string | undefined {
  // A file too large to check is too large to parse twice here.
  if (textTooLarge(text)) return undefined;
  const options = { merge: true, uniqueKeys: true, prettyErrors: false, strict: true } as const;
  const doc = parseDocument(text, options);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  // An alias to no anchor or a bad merge key parses without errors but has no data: not formatted.
  const before = plainValue(doc, doc);
  if (before === undefined) return undefined;
  // A comment above the first key is the file's header: it stays on top whatever key comes first.
  const first = doc.contents.items[0];
  const header = isPair(first) && isNode(first.key) ? first.key.commentBefore : undefined;
  if (header && isPair(first) && isNode(first.key) && !doc.commentBefore) {
    doc.commentBefore = header;
    first.key.commentBefore = undefined;
  }
  reorder(doc.contents);
  const out = doc.toString({ indent: 2, indentSeq: true, lineWidth: 0 });
  const again = parseDocument(out, options);
  if (again.errors.length > 0 || !isDeepStrictEqual(plainValue(again, again), before) || commentCount(out) !== commentCount(text)) return undefined;
  return out;
}

export function format(document: TextDocument): TextEdit[] {
  const text = document.getText();
  const out = formatText(text);
  if (out === undefined || out === text) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: document.positionAt(text.length) }, newText: out }];
}
