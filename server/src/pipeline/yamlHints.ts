/**
 * Targeted messages for the YAML mistakes people make while writing a pipeline: a tab in the
 * indentation, `${…}` unquoted inside `{…}` or `[…]`, a key that does not line up with the keys
 * beside it, a quote or bracket that is never closed. Each points at the cause (not at where `yaml`
 * noticed it) and says how to fix it; anything else keeps `yaml`'s own words.
 */
import { isCollection, isScalar, visit, type Document, type Node, type YAMLError } from "yaml";
import { problem, type Problem } from "./problem";

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl;
}

/** Lines that start with a tab: never valid indentation, and `yaml` stops reporting them past a broken structure. */
const TAB_AT_LINE_START = /^\t/gm;

/**
 * All tab indentation in the file as one problem at the first tab, naming the other lines (one
 * mistake, one problem): the lines `yaml` reported, and every line that starts with a tab.
 */
export function tabProblem(text: string, tabs: readonly YAMLError[]): Problem {
  const starts = new Set(tabs.map((e) => Math.min(e.pos[0], text.length)));
  for (const m of text.matchAll(TAB_AT_LINE_START)) starts.add(m.index);
  const sorted = [...starts].sort((a, b) => a - b);
  const start = sorted[0] ?? 0;
  let end = start;
  while (text[end] === "\t" || text[end] === " ") end++;
  // Each start is on its own line (a tab error is reported at its line's start); only the first few are named.
  const others = sorted.slice(1);
  const named = others.slice(0, 8).map((s) => lineOf(text, s));
  const more = others.length > 8 ? ` and ${others.length - 8} more` : "";
  const also = others.length > 0 ? ` (line${others.length > 1 ? "s" : ""} ${named.join(", ")}${more} too)` : "";
  const message = `this line is indented with a tab${also}; YAML allows only spaces in indentation: replace each tab with spaces (set your editor to insert spaces for .etl.yaml files)`;
  return problem("yaml-syntax", "error", message, { start, end: Math.max(end, start + 1) });
}

/** A targeted problem for `e`, or undefined when none applies. */
export function hintFor(e: YAMLError, doc: Document.Parsed, text: string): Problem | undefined {
  switch (e.code) {
    case "DUPLICATE_KEY":
      return duplicateKey(e, text);
    case "MULTIPLE_DOCS":
      return problem("yaml-syntax", "error", "a pipeline file holds one YAML document; remove the `---` and what follows, or split it into several files", clamp(e, text));
    default:
      return templateInFlow(e, doc, text) ?? unclosed(e, doc, text) ?? misaligned(e, text) ?? missingColon(e, text);
  }
}

function clamp(e: YAMLError, text: string): { start: number; end: number } {
  const start = Math.min(e.pos[0], text.length);
  return { start, end: Math.max(start, Math.min(e.pos[1], text.length)) };
}

function duplicateKey(e: YAMLError, text: string): Problem {
  const span = clamp(e, text);
  // yaml marks one character of a duplicate key; the whole key reads better.
  span.end = Math.max(span.end, span.start + (/^[^:\n]*/.exec(text.slice(span.start))?.[0].trimEnd().length ?? 0));
  return problem("yaml-syntax", "error", "duplicate key: a key may appear only once in a map; remove or rename one of them", span);
}

/** The innermost node of a kind that starts before `at` and reaches at least to it. */
function enclosing(doc: Document.Parsed, at: number, test: (n: Node) => boolean): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Node(_key, node) {
      const r = node.range;
      if (r && r[0] <= at && r[1] >= at && test(node) && (!found || (found.range?.[0] ?? -1) <= r[0])) found = node;
    },
  });
  return found;
}

/** The outermost node of a kind that starts before `at` and reaches at least to it. */
function outermost(doc: Document.Parsed, at: number, test: (n: Node) => boolean): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Node(_key, node) {
      const r = node.range;
      if (r && r[0] <= at && r[1] >= at && test(node) && (!found || r[0] < (found.range?.[0] ?? 0))) found = node;
    },
  });
  return found;
}

/** The innermost `[` or `{` still open at `at`, scanning from `from` (quoted text skipped). */
function openBracket(text: string, from: number, at: number): string | undefined {
  const stack: string[] = [];
  for (let i = from; i < at; i++) {
    const c = text[i] as string;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0 || close >= at) break;
      i = close;
    } else if (c === "[" || c === "{") stack.push(c);
    else if (c === "]" || c === "}") stack.pop();
  }
  return stack[stack.length - 1];
}

/** Where a plain value starts inside flow context: after `{`, `[`, `,` or `key:`. */
const FLOW_VALUE_TEMPLATE = /(?:[{[,]|:)[ \t]*(\$\{[^}\n]*\}?)/g;

/**
 * `{type: postgres, url: ${env:X}}`: inside `{…}` or `[…]` the `{` of an unquoted `${` opens a
 * nested map. Points at the template, says to quote it, and offers the quoted text as the fix.
 */
function templateInFlow(e: YAMLError, doc: Document.Parsed, text: string): Problem | undefined {
  const at = e.pos[0];
  const flow = outermost(doc, at, (n) => isCollection(n) && n.flow === true);
  const from = flow?.range?.[0] ?? lineStart(text, at);
  let hit: RegExpExecArray | undefined;
  for (const m of text.slice(from, lineEnd(text, at)).matchAll(FLOW_VALUE_TEMPLATE)) {
    if (from + m.index + m[0].length - (m[1]?.length ?? 0) > at + 1) break;
    hit = m;
  }
  if (!hit?.[1]) return undefined;
  if (!flow && !/[{[]/.test(text.slice(from, from + (hit.index ?? 0) + 1))) return undefined;
  const value = hit[1];
  const start = from + (hit.index ?? 0) + hit[0].length - value.length;
  const opener = openBracket(text, from, start) === "[" ? "[…]" : "{…}";
  const quoted = JSON.stringify(value);
  const message = `quote a value that starts with \`\${\` inside \`${opener}\`: write \`${quoted}\`; unquoted, YAML reads its \`{\` as the start of a nested map`;
  return problem("yaml-syntax", "error", message, { start, end: start + value.length }, { suggestion: quoted });
}

/** A quote or a flow `[`/`{` that is never closed: points at the opening character. */
function unclosed(e: YAMLError, doc: Document.Parsed, text: string): Problem | undefined {
  const quote = /^Missing closing (["'])quote/.exec(e.message);
  if (quote) {
    const node = enclosing(doc, e.pos[0], (n) => isScalar(n) && (n.type === "QUOTE_DOUBLE" || n.type === "QUOTE_SINGLE"));
    const start = node?.range?.[0] ?? e.pos[0];
    const kind = quote[1] === '"' ? "double" : "single";
    const message = `this ${kind}-quoted string is never closed, so the rest of the file is read as part of it: add the closing \`${quote[1] ?? ""}\` where the value ends`;
    return problem("yaml-syntax", "error", message, { start, end: Math.min(start + 1, text.length) });
  }
  const bracket = /^Flow (sequence|map) in block collection must be sufficiently indented and end with a ([\]}])/.exec(e.message);
  if (!bracket) return undefined;
  const node = enclosing(doc, e.pos[0], (n) => isCollection(n) && n.flow === true);
  if (!node?.range) return undefined;
  const start = node.range[0];
  const what = bracket[1] === "sequence" ? "list" : "map";
  const message = `this \`${text[start] ?? ""}\` ${what} is not closed: end it with \`${bracket[2] ?? ""}\` (a ${what} that runs onto more lines must indent them more than its key)`;
  return problem("yaml-syntax", "error", message, { start, end: start + 1 });
}

interface ContentLine {
  start: number;
  indent: number;
  /** The line is a list item (`- …`). */
  item: boolean;
  /** Where its key starts: after the `- ` of a list item. */
  keyCol: number;
  /** The key the line starts with (after `- ` for a list item), if any. */
  key?: string;
}

function contentLine(text: string, start: number): ContentLine | undefined {
  const end = lineEnd(text, start);
  const line = text.slice(start, end);
  const indent = line.length - line.trimStart().length;
  const rest = line.trimStart();
  if (rest === "" || rest.startsWith("#") || rest === "\r") return undefined;
  const dash = /^-[ ]+/.exec(rest)?.[0] ?? "";
  const key = /^([^\s:#][^:]*?)[ ]*:(?:\s|$)/.exec(rest.slice(dash.length))?.[1];
  return { start, indent, item: dash !== "" || rest === "-", keyCol: indent + dash.length, ...(key !== undefined ? { key } : {}) };
}

/** A column that lines of the text above start at: a key's, or a list item's `-`. */
interface Level {
  col: number;
  line: ContentLine;
  dash: boolean;
}

/** The columns open at the line at `start`, deepest first: the nearest content line's, then each enclosing one. */
function levelsAbove(text: string, start: number): Level[] {
  const levels: Level[] = [];
  const push = (col: number, line: ContentLine, dash: boolean) => {
    const last = levels[levels.length - 1];
    if (!last || col < last.col) levels.push({ col, line, dash });
  };
  for (let s = start; s > 0; ) {
    s = lineStart(text, s - 1);
    const c = contentLine(text, s);
    if (!c) continue;
    push(c.keyCol, c, false);
    if (c.item) push(c.indent, c, true);
    if (c.indent === 0) break;
  }
  return levels;
}

function named(l: Level, text: string): string {
  return `${l.line.key !== undefined && !l.dash ? `\`${l.line.key}\`` : "the line"} on line ${lineOf(text, l.line.start)}`;
}

/** The error is about the indentation of a line (which, and whether it went deeper than a `key: value`), or not. */
function indentationError(e: YAMLError, text: string): { lineAt: number; deeper: boolean } | undefined {
  const deeper = e.code === "BLOCK_AS_IMPLICIT_KEY" && /^Nested mappings/.test(e.message);
  const sameColumn = (e.code === "BAD_INDENT" && /same column/.test(e.message)) || (e.code === "MISSING_CHAR" && /^Sequence item without/.test(e.message));
  if (sameColumn) return { lineAt: lineStart(text, e.pos[0]), deeper };
  return deeper ? { lineAt: lineEnd(text, e.pos[0]) + 1, deeper } : undefined;
}

/** A key that does not line up with the keys beside it: says which column it should start at. */
function misaligned(e: YAMLError, text: string): Problem | undefined {
  const found = indentationError(e, text);
  if (!found) return undefined;
  let lineAt = found.lineAt;
  // The offending line may follow blank or comment lines.
  let line = contentLine(text, lineAt);
  while (!line && lineAt < text.length) {
    lineAt = lineEnd(text, lineAt) + 1;
    line = contentLine(text, lineAt);
  }
  const levels = levelsAbove(text, lineAt);
  const above = levels[0];
  if (!line || !above) return undefined;
  const at = line.indent;
  // `key: value` followed by a deeper line: that line is the mistake only when it follows the value's line.
  if (found.deeper && (at <= above.col || above.line.start !== lineStart(text, e.pos[0]))) return undefined;
  const siblings = at > above.col ? above : [...levels].reverse().find((l) => l.col > at && !l.dash);
  if (!siblings) return undefined;
  // Lining up further out is an alternative only when it leaves no list item (a `-`) on the way.
  const outer = levels.find((l) => l.col < at);
  const alternative = outer && !outer.dash && !levels.some((l) => l.dash && l.col > outer.col && l.col < at) ? outer : undefined;
  const what = line.key !== undefined ? `\`${line.key}\`` : "this line";
  const start = line.start + at;
  let message = `bad indentation: ${what} starts at column ${at + 1}, but ${named(siblings, text)} starts at column ${siblings.col + 1}; indent it to column ${siblings.col + 1} to line it up`;
  if (at > siblings.col) message += `, or, if it belongs inside ${siblings.line.key !== undefined ? `\`${siblings.line.key}\`` : "that line"}, remove the value after its \`:\` and put it on the lines below`;
  else if (alternative) message += `, or to column ${alternative.col + 1} to line it up with ${named(alternative, text)}`;
  return problem("yaml-syntax", "error", message, { start, end: Math.max(start + 1, start + (line.key?.length ?? 0)) });
}

/** `key:value`, and `key value` among keys: a line that reads as a key but lacks the `: ` of one. */
const NO_SPACE = /^([ ]*(?:-[ ]+)?)([A-Za-z_][A-Za-z0-9_-]*):([^\s:][^\n]*)$/;
const NO_COLON = /^([ ]*(?:-[ ]+)?)([A-Za-z_][A-Za-z0-9_-]*)[ ]+([^\s:#][^:\n]*)$/;

/**
 * A key without the space after its colon (`version:1`), or without the colon (`mode merge`): YAML
 * reads the line as one long key and fails on the next. The fix writes `key: value`.
 */
function missingColon(e: YAMLError, text: string): Problem | undefined {
  if (!STRUCTURAL_NEAR_KEY.has(e.code)) return undefined;
  const start = lineStart(text, Math.min(e.pos[0], text.length));
  const line = text.slice(start, lineEnd(text, start)).replace(/\r$/, "");
  const spaced = NO_SPACE.exec(line);
  const bare = spaced ? undefined : NO_COLON.exec(line);
  const m = spaced ?? bare;
  if (!m) return undefined;
  const [, lead = "", key = "", value = ""] = m;
  const from = start + lead.length;
  const fixed = `${key}: ${value.trimEnd()}`;
  const what = spaced ? `\`${key}:\` needs a space after the colon` : `\`${key}\` needs a colon after it`;
  const message = `${what} to be a key with a value: write \`${fixed}\` (as it is, YAML reads the line as one long key)`;
  return problem("yaml-syntax", "error", message, { start: from, end: from + line.length - lead.length }, { suggestion: fixed });
}

/** The errors `yaml` gives on a line that was meant as `key: value`. */
const STRUCTURAL_NEAR_KEY = new Set(["MULTILINE_IMPLICIT_KEY", "MISSING_CHAR", "BLOCK_AS_IMPLICIT_KEY"]);
