/**
 * Where the cursor is, read from the text alone (indentation and brackets), so completion works in
 * files that do not parse: the key path to the enclosing map, and whether a key or a value is typed.
 */
import type { Span } from "../pipeline/problem";

export interface LineInfo {
  indent: number;
  /** Columns of `- ` markers before the content. */
  dashCols: number[];
  /** Column where the content (a key or a value) starts. */
  keyCol: number;
  key?: string;
  /** Text after `key:` (trimmed, comments kept). */
  value?: string;
  blank: boolean;
}

const KEY = /^("[^"]*"|'[^']*'|[^\s#:{}[\],"'][^:#]*?)[ \t]*:(?=[ \t]|$)/;

export function lineInfo(line: string): LineInfo {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  const indent = i;
  const dashCols: number[] = [];
  while (line[i] === "-" && (i + 1 === line.length || line[i + 1] === " ")) {
    dashCols.push(i);
    i++;
    while (line.charCodeAt(i) === 32) i++;
  }
  const rest = line.slice(i);
  const trimmed = rest.trim();
  const blank = dashCols.length === 0 && (trimmed === "" || trimmed.startsWith("#"));
  const m = KEY.exec(rest);
  if (!m?.[1]) return { indent, dashCols, keyCol: i, blank };
  const key = m[1].replace(/^["']|["']$/g, "");
  return { indent, dashCols, keyCol: i, key, value: rest.slice(m[0].length).trim(), blank };
}

/** Keys from the root to the block that holds content starting at `col` on line `lineNo`. */
export function parentPath(lines: readonly string[], lineNo: number, col: number, colIsDash = false): string[] {
  return parentChain(lines, lineNo, col, colIsDash).path;
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

/** `parentPath`, with the line each path entry was found on (a 30,000-line file is walked in a few ms). */
function parentChain(lines: readonly string[], lineNo: number, col: number, colIsDash = false): { path: string[]; lineOf: number[] } {
  const path: string[] = [];
  const lineOf: number[] = [];
  let c = col;
  let dash = colIsDash;
  for (let n = lineNo - 1; n >= 0 && (c > 0 || dash); n--) {
    const raw = lines[n] ?? "";
    const indent = indentOf(raw);
    if (indent > c || (indent === c && !dash) || indent === raw.length) continue;
    const info = lineInfo(raw);
    if (info.blank) continue;
    if (!dash && info.dashCols.length > 0 && info.keyCol === c) {
      // The first line of the list item whose map holds column c.
      for (let d = 0; d < info.dashCols.length; d++) {
        path.unshift("[]");
        lineOf.unshift(n);
      }
      dash = true;
      c = info.dashCols[0] ?? 0;
      continue;
    }
    const opens = info.key !== undefined && (info.value === "" || info.value?.startsWith("#") || info.value === "|" || info.value === ">");
    if (info.key !== undefined && (info.keyCol < c || (dash && info.keyCol === c && opens && info.dashCols.length === 0))) {
      path.unshift(info.key);
      lineOf.unshift(n);
      for (let d = 0; d < info.dashCols.length; d++) {
        path.unshift("[]");
        lineOf.unshift(n);
      }
      dash = info.dashCols.length > 0;
      c = info.dashCols[0] ?? info.keyCol;
      continue;
    }
    const firstDash = info.dashCols[0];
    if (firstDash !== undefined && firstDash < c && info.key === undefined) {
      path.unshift("[]");
      lineOf.unshift(n);
      c = firstDash;
      dash = true;
    }
  }
  return { path, lineOf };
}

export interface CursorContext {
  /** Keys from the root to the map (key position) or to the key whose value is typed; "[]" is a list item. */
  path: string[];
  position: "key" | "value";
  /** The partial word before the cursor, and the span a completion replaces. */
  prefix: string;
  replace: Span;
  /** Column of the key being typed (key position): where nested lines of a snippet indent from. */
  keyCol: number;
  /** True when the value is an item of a list (`- x` or inside `[…]`). */
  inList: boolean;
  flow: boolean;
  /** The text of the line up to the cursor. */
  linePrefix: string;
  /** First line of the step item holding the cursor, when it is inside `steps:`. */
  stepLine?: number;
  /** In a flow map: the keys written in it (block maps are read with `siblingKeys`). */
  flowSiblings?: Map<string, string>;
  lineNo: number;
}

/** The word around the cursor: letters, digits, `_`, `-`, `.`. */
function wordSpan(line: string, character: number, lineStart: number): { prefix: string; span: Span } {
  let s = character;
  while (s > 0 && /[\w.-]/.test(line[s - 1] ?? "")) s--;
  let e = character;
  while (e < line.length && /[\w.-]/.test(line[e] ?? "")) e++;
  return { prefix: line.slice(s, character), span: { start: lineStart + s, end: lineStart + e } };
}

interface FlowFrame {
  open: "[" | "{";
  col: number;
}

/** Unclosed `[`/`{` before the cursor on this line, outside quotes and comments. */
function flowFrames(prefix: string): FlowFrame[] | undefined {
  const stack: FlowFrame[] = [];
  let quote: string | undefined;
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#" && (i === 0 || prefix[i - 1] === " ")) return undefined;
    else if (ch === "[" || ch === "{") stack.push({ open: ch, col: i });
    else if (ch === "]" || ch === "}") stack.pop();
  }
  return stack;
}

/** `key: value` pairs written in the innermost flow map around the cursor. */
function flowSiblings(line: string, open: number): Map<string, string> {
  let depth = 0;
  let end = line.length;
  for (let i = open + 1; i < line.length; i++) {
    const ch = line[i];
    if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      if (depth === 0) {
        end = i;
        break;
      }
      depth--;
    }
  }
  const found = new Map<string, string>();
  for (const m of line.slice(open + 1, end).matchAll(/([\w-]+)\s*:\s*([^,{}[\]]*)/g)) if (m[1]) found.set(m[1], (m[2] ?? "").trim());
  return found;
}

function flowContext(lines: readonly string[], lineNo: number, prefix: string, frames: FlowFrame[]): Pick<CursorContext, "path" | "position" | "inList" | "stepLine" | "flowSiblings"> {
  const outer = frames[0] as FlowFrame;
  const head = lineInfo(prefix.slice(0, outer.col));
  const chain = parentChain(lines, lineNo, head.dashCols[0] ?? head.keyCol, head.dashCols.length > 0);
  const path = chain.path;
  for (let d = 0; d < head.dashCols.length; d++) {
    path.push("[]");
    chain.lineOf.push(lineNo);
  }
  const stepLine = path[0] === "steps" && path[1] === "[]" ? chain.lineOf[1] : undefined;
  const innermostOpen = (frames[frames.length - 1] as FlowFrame).col;
  const extra = { ...(stepLine !== undefined ? { stepLine } : {}), ...(frames[frames.length - 1]?.open === "{" ? { flowSiblings: flowSiblings(lines[lineNo] ?? "", innermostOpen) } : {}) };
  if (head.key !== undefined) path.push(head.key);
  frames.forEach((frame, i) => {
    const end = frames[i + 1]?.col ?? prefix.length;
    const segment = prefix.slice(frame.col + 1, end);
    const piece = segment.slice(segment.lastIndexOf(",") + 1).trim();
    if (frame.open === "[") path.push("[]");
    else if (i < frames.length - 1) {
      const k = /([\w-]+)\s*:\s*$/.exec(piece);
      if (k?.[1]) path.push(k[1]);
    }
  });
  const innermost = frames[frames.length - 1] as FlowFrame;
  const tail = prefix.slice(innermost.col + 1);
  const piece = tail.slice(tail.lastIndexOf(",") + 1);
  if (innermost.open === "[") return { ...extra, path: path.slice(0, -1), position: "value", inList: true };
  const k = /^\s*([\w-]+)\s*:/.exec(piece);
  if (k?.[1]) return { ...extra, path: [...path, k[1]], position: "value", inList: false };
  return { ...extra, path, position: "key", inList: false };
}

/** Reads the cursor context at (line, character). `lines` are the document's lines. */
export function cursorContext(lines: readonly string[], lineNo: number, character: number, lineStart: number): CursorContext {
  const line = lines[lineNo] ?? "";
  const linePrefix = line.slice(0, character);
  const { prefix, span } = wordSpan(line, character, lineStart);
  const base: Pick<CursorContext, "prefix" | "replace" | "linePrefix" | "lineNo" | "stepLine"> = { prefix, replace: span, linePrefix, lineNo };
  const frames = flowFrames(linePrefix);
  if (frames && frames.length > 0) return { ...base, ...flowContext(lines, lineNo, linePrefix, frames), keyCol: character - prefix.length, flow: true };
  const info = lineInfo(linePrefix);
  const firstDash = info.dashCols[0];
  const chain = parentChain(lines, lineNo, firstDash ?? (info.blank && linePrefix.trim() === "" ? character : info.keyCol), firstDash !== undefined);
  const path = chain.path;
  for (let d = 0; d < info.dashCols.length; d++) {
    path.push("[]");
    chain.lineOf.push(lineNo);
  }
  const stepLine = path[0] === "steps" && path[1] === "[]" ? chain.lineOf[1] : undefined;
  if (stepLine !== undefined) Object.assign(base, { stepLine });
  if (info.key !== undefined) return { ...base, path: [...path, info.key], position: "value", keyCol: info.keyCol, inList: false, flow: false };
  const keyCol = info.blank && linePrefix.trim() === "" ? character : info.keyCol;
  return { ...base, path, position: "key", keyCol, inList: info.dashCols.length > 0, flow: false };
}

/**
 * Keys already written in the block map that holds line `lineNo` at column `col`, with their
 * values. `startsItem`: the line is a list item's first line, so the map begins there.
 */
export function siblingKeys(lines: readonly string[], lineNo: number, col: number, startsItem = false): Map<string, string> {
  const found = new Map<string, string>();
  for (let n = lineNo - 1; n >= 0 && !startsItem; n--) {
    const raw = lines[n] ?? "";
    if (indentOf(raw) > col) continue;
    const info = lineInfo(raw);
    if (info.blank) continue;
    if (info.keyCol < col) break;
    if (info.keyCol === col && info.key !== undefined) found.set(info.key, info.value ?? "");
    if (info.keyCol === col && info.dashCols.length > 0) break;
  }
  for (let n = lineNo + 1; n < lines.length; n++) {
    const raw = lines[n] ?? "";
    if (indentOf(raw) > col) continue;
    const info = lineInfo(raw);
    if (info.blank) continue;
    if (info.keyCol < col || (info.dashCols.length > 0 && info.keyCol <= col)) break;
    if (info.keyCol === col && info.key !== undefined) found.set(info.key, info.value ?? "");
  }
  return found;
}
