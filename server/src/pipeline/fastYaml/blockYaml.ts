/**
 * A fast parser for the plain block-style YAML that pipeline files are written in: block maps with
 * simple keys, block sequences, one-line plain, quoted and flow values, comments. It builds the same
 * `yaml` nodes (`YAMLMap`, `YAMLSeq`, `Pair`, `Scalar`), with the same ranges, values and scalar
 * types, and the same plain data, as `parseDocument` followed by `toJS` — several times faster, which
 * is what opening a large file in the language server waits for. Anything outside that subset
 * (anchors, tags, block scalars, multi-line scalars, tabs, CR, odd indentation, anything `yaml` would
 * report as an error) returns undefined, and the caller parses with `yaml`. The differential test
 * (test/unit/pipeline/fastYaml.test.ts) holds it to `yaml`'s output.
 */
import type { Node, YAMLMap, YAMLSeq } from "yaml";
import { newMap, newPair, newSeq } from "./nodes";
import { BAIL, quoted, resolvePlain, scalarNode } from "./scalars";

export interface FastDocument {
  contents: YAMLMap | YAMLSeq;
  /** What `doc.toJS()` gives. */
  data: unknown;
}

interface Parsed {
  node: Node;
  value: unknown;
}

/**
 * The blank and comment lines after a collection's last item, up to the next content: `end` is the
 * offset of that content (or the text's end), `maxIndent` the deepest comment's indent (-1: none).
 */
interface Trail {
  end: number;
  maxIndent: number;
}

const NO_TRAIL: Trail = { end: -1, maxIndent: -1 };

/** A parsed block value, the start of the next content line (-1 at the end), and the comments before it. */
interface Block {
  parsed: Parsed;
  line: number;
  trail: Trail;
}

/** Characters the fast path refuses anywhere: tabs, CR, other controls, a BOM, YAML 1.1 line breaks. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const REFUSED = /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\ufeff\u2028\u2029]/;

/**
 * Parses `text` (or the part `[start, end)` of it, which must begin at a line start and end after a
 * newline or at the text's end; ranges are then offsets in the whole text). Undefined when the text
 * is outside the fast path's subset (parse it with `yaml`).
 */
export function parseBlockYaml(text: string, start = 0, end = text.length): FastDocument | undefined {
  if (REFUSED.test(start === 0 && end === text.length ? text : text.slice(start, end))) return undefined;
  try {
    return new BlockParser(text, end).document(start);
  } catch (err: unknown) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

const SPACE = 32;
const NL = 10;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/** A plain key's first character: a letter, digit, `_`, `$`, `.`, `/` or any non-ASCII character. */
function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 46 || c === 47 || c >= 128;
}

class BlockParser {
  constructor(
    private readonly text: string,
    /** Where the part being parsed ends (the text beyond it is never read as content). */
    private readonly len: number,
  ) {}

  document(start: number): FastDocument {
    const first = this.trailing(start, -1).line;
    if (first < 0) throw BAIL;
    const indent = this.indentAt(first);
    const at = first + indent;
    const block = this.isDash(at) ? this.blockSeq(at, indent) : this.keyEnd(at) > 0 ? this.blockMap(at, indent) : this.fail();
    // Comments after the root collection belong to the document: they change no range.
    if (block.line >= 0) throw BAIL;
    return { contents: block.parsed.node as YAMLMap | YAMLSeq, data: block.parsed.value };
  }

  private fail(): never {
    throw BAIL;
  }

  private lineEnd(pos: number): number {
    const nl = this.text.indexOf("\n", pos);
    return nl < 0 || nl >= this.len ? this.len : nl;
  }

  /** Just past the newline ending the line at `pos` (or the end of the text). */
  private nextLine(pos: number): number {
    const nl = this.text.indexOf("\n", pos);
    return nl < 0 || nl >= this.len ? this.len : nl + 1;
  }

  private indentAt(lineStart: number): number {
    let i = lineStart;
    while (this.text.charCodeAt(i) === SPACE) i++;
    return i - lineStart;
  }

  /**
   * Skips the blank and comment lines from line start `pos` to the next line with content. When
   * `value` (a one-line value of a collection at `indent`) is given, comments right below it that
   * are indented deeper than the collection extend its range, as `yaml` attaches them to it.
   */
  private trailing(pos: number, indent: number, value?: Node): { line: number; trail: Trail } {
    const { text, len } = this;
    let maxIndent = -1;
    while (pos < len) {
      let i = pos;
      while (text.charCodeAt(i) === SPACE) i++;
      if (i >= len) break;
      const c = text.charCodeAt(i);
      if (c === NL) {
        pos = i + 1;
        continue;
      }
      if (c !== HASH) return { line: pos, trail: { end: i, maxIndent } };
      const ind = i - pos;
      pos = this.nextLine(i);
      if (value && maxIndent < 0 && ind > indent) (value.range as [number, number, number])[2] = pos;
      else maxIndent = Math.max(maxIndent, ind);
    }
    return { line: -1, trail: { end: len, maxIndent } };
  }

  private lineStartOf(pos: number): number {
    return this.text.lastIndexOf("\n", pos - 1) + 1;
  }

  /** `-` followed by a space or the end of the line: a block sequence entry. */
  private isDash(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const c = this.text.charCodeAt(at + 1);
    return c === SPACE || c === NL || at + 1 >= this.len;
  }

  /**
   * When a one-line key followed by `:` and a space or the line's end starts at `at`: the colon's
   * offset; else -1. A plain key holds no flow indicators, quotes or `#`, and no space before its
   * colon; a quoted key closes on its line.
   */
  private keyEnd(at: number): number {
    const { text } = this;
    const c = text.charCodeAt(at);
    let i: number;
    if (c === 34 || c === 39) {
      const lineEnd = this.lineEnd(at);
      const q = quoted(text, at, lineEnd);
      i = q.end;
    } else {
      if (!isKeyStart(c)) return -1;
      i = at + 1;
      for (;;) {
        const ch = text.charCodeAt(i);
        if (ch === COLON) break;
        if (ch === NL || ch === HASH || ch === 34 || ch === 39 || ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125 || i >= this.len) return -1;
        i++;
      }
      if (text.charCodeAt(i - 1) === SPACE) return -1;
    }
    if (text.charCodeAt(i) !== COLON) return -1;
    const after = text.charCodeAt(i + 1);
    return after === SPACE || after === NL || i + 1 >= this.len ? i : -1;
  }

  /** The key node of a block map entry (`keyEnd(at)` is `colon`). */
  private keyNode(at: number, colon: number): Parsed {
    const { text } = this;
    const c = text.charCodeAt(at);
    if (c === 34 || c === 39) {
      const value = quoted(text, at, colon).value;
      return { node: scalarNode(value, value, c === 34 ? "QUOTE_DOUBLE" : "QUOTE_SINGLE", [at, colon, colon]), value };
    }
    const key = text.slice(at, colon);
    const resolved = resolvePlain(key);
    return { node: scalarNode(resolved.value, key, "PLAIN", [at, colon, colon], resolved.minFractionDigits), value: resolved.value };
  }

  private skipSpaces(pos: number): number {
    while (this.text.charCodeAt(pos) === SPACE) pos++;
    return pos;
  }

  /**
   * A collection's range ends at its last item's end, or past the comments after it when they stay
   * in it: `yaml` passes them up to the parent only when every one is indented less than the
   * collection (or the collection is at column 0).
   */
  private close(node: YAMLMap | YAMLSeq, first: number, offset: number, indent: number, line: number, trail: Trail): Block {
    const stays = trail.maxIndent >= 0 && indent > 0 && trail.maxIndent >= indent;
    node.range = [first, offset, stays ? trail.end : offset];
    return { parsed: { node, value: undefined }, line, trail: stays ? NO_TRAIL : trail };
  }

  private blockMap(first: number, indent: number): Block {
    const map = newMap();
    const data: Record<string, unknown> = {};
    let at = first;
    let item: Block;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon < 0) throw BAIL;
      const key = this.keyNode(at, colon);
      const name = key.value;
      if (typeof name !== "string" || name === "<<" || name === "__proto__" || Object.hasOwn(data, name)) throw BAIL;
      item = this.value(colon + 1, indent, true);
      map.items.push(newPair(key.node, item.parsed.node));
      data[name] = item.parsed.value;
      if (item.line < 0) break;
      const ind = this.indentAt(item.line);
      if (ind < indent) break;
      if (ind > indent || this.isDash(item.line + ind)) throw BAIL;
      at = item.line + ind;
    }
    const block = this.close(map, first, (item.parsed.node.range as [number, number, number])[2], indent, item.line, item.trail);
    block.parsed.value = data;
    return block;
  }

  private blockSeq(first: number, indent: number): Block {
    const seq = newSeq();
    const data: unknown[] = [];
    let at = first;
    let item: Block;
    for (;;) {
      item = this.value(at + 1, indent, false);
      seq.items.push(item.parsed.node);
      data.push(item.parsed.value);
      if (item.line < 0) break;
      const ind = this.indentAt(item.line);
      if (ind < indent || (ind === indent && !this.isDash(item.line + ind))) break;
      if (ind > indent) throw BAIL;
      at = item.line + ind;
    }
    const block = this.close(seq, first, (item.parsed.node.range as [number, number, number])[2], indent, item.line, item.trail);
    block.parsed.value = data;
    return block;
  }

  /**
   * The value after a map key's colon or a sequence entry's dash (`pos` is just past it), in a
   * collection at `indent`: on the same line, or below it.
   */
  private value(pos: number, indent: number, inMap: boolean): Block {
    const { text } = this;
    const start = this.skipSpaces(pos);
    const lineEnd = this.lineEnd(start);
    if (start >= lineEnd || text.charCodeAt(start) === HASH) {
      if (start < lineEnd && start === pos) throw BAIL; // `#` right after the indicator is not a comment
      return this.valueBelow(start, lineEnd, indent, inMap);
    }
    if (!inMap) {
      // A compact map (`- id: x`) or a nested compact sequence.
      if (this.isDash(start)) throw BAIL;
      if (this.keyEnd(start) > 0) return this.blockMap(start, start - this.lineStartOf(start));
    }
    const parsed = this.inline(start, lineEnd);
    const { line, trail } = this.trailing(this.nextLine(lineEnd), indent, parsed.node);
    // A more indented line after a one-line value continues it (a multi-line scalar) or is an error.
    if (line >= 0 && this.indentAt(line) > indent) throw BAIL;
    return { parsed, line, trail };
  }

  /** A value on the lines below its key or dash: a nested block collection, or empty (null). */
  private valueBelow(start: number, lineEnd: number, indent: number, inMap: boolean): Block {
    const { line, trail } = this.trailing(this.nextLine(lineEnd), indent);
    if (line >= 0) {
      const ind = this.indentAt(line);
      const at = line + ind;
      if (ind > indent || (inMap && ind === indent && this.isDash(at))) {
        if (this.isDash(at)) return this.blockSeq(at, ind);
        if (ind > indent && this.keyEnd(at) > 0) return this.blockMap(at, ind);
        throw BAIL;
      }
    }
    // An empty sequence entry, or an empty value with comments (whose range `yaml` ends in ways not worth copying).
    if (!inMap || start < lineEnd || trail.maxIndent >= 0) throw BAIL;
    const node = scalarNode(null, "", "PLAIN", [start, start, start]);
    return { parsed: { node, value: null }, line, trail: NO_TRAIL };
  }

  /** A value that starts and ends on this line: plain, quoted or flow; its range runs to the line's end. */
  private inline(start: number, lineEnd: number): Parsed {
    const { text } = this;
    const c = text.charCodeAt(start);
    let parsed: Parsed;
    let valueEnd: number;
    if (c === 91 || c === 123) {
      const flow = this.flow(start, lineEnd);
      parsed = flow.parsed;
      valueEnd = flow.end;
    } else if (c === 34 || c === 39) {
      const q = quoted(text, start, lineEnd);
      parsed = { node: scalarNode(q.value, q.value, c === 34 ? "QUOTE_DOUBLE" : "QUOTE_SINGLE", [start, q.end, q.end]), value: q.value };
      valueEnd = q.end;
    } else {
      valueEnd = this.plainEnd(start, lineEnd);
      const source = text.slice(start, valueEnd);
      const resolved = resolvePlain(source);
      parsed = { node: scalarNode(resolved.value, source, "PLAIN", [start, valueEnd, valueEnd], resolved.minFractionDigits), value: resolved.value };
    }
    // After the value: spaces, then a comment or the line's end.
    const rest = this.skipSpaces(valueEnd);
    if (rest < lineEnd && (text.charCodeAt(rest) !== HASH || rest === valueEnd)) throw BAIL;
    (parsed.node.range as [number, number, number])[2] = this.nextLine(lineEnd);
    return parsed;
  }

  /** The end of a block plain scalar at `start` (trailing spaces and a comment excluded). */
  private plainEnd(start: number, lineEnd: number): number {
    const { text } = this;
    const c = text.charCodeAt(start);
    // Indicators that cannot start a plain scalar here (or start something the fast path leaves to yaml).
    if (c === 38 || c === 42 || c === 33 || c === 37 || c === 64 || c === 96 || c === 124 || c === 62 || c === 44 || c === 93 || c === 125) throw BAIL;
    if ((c === 45 || c === 63 || c === COLON) && (start + 1 >= lineEnd || text.charCodeAt(start + 1) === SPACE)) throw BAIL;
    let end = start;
    for (let i = start; i < lineEnd; i++) {
      const ch = text.charCodeAt(i);
      if (ch === SPACE) {
        if (text.charCodeAt(i + 1) === HASH) break;
        continue;
      }
      if (ch === COLON && (i + 1 >= lineEnd || text.charCodeAt(i + 1) === SPACE)) throw BAIL;
      end = i + 1;
    }
    return end;
  }

  /** A flow collection (`[…]` or `{…}`) that closes on this line; `end` is just past its bracket. */
  private flow(open: number, lineEnd: number): { parsed: Parsed; end: number } {
    const { text } = this;
    const isMap = text.charCodeAt(open) === 123;
    const close = isMap ? 125 : 93;
    const node = isMap ? newMap() : newSeq();
    node.flow = true;
    const data: Record<string, unknown> | unknown[] = isMap ? {} : [];
    let pos = this.skipSpaces(open + 1);
    if (text.charCodeAt(pos) === close) {
      node.range = [open, pos + 1, pos + 1];
      return { parsed: { node, value: data }, end: pos + 1 };
    }
    for (;;) {
      if (pos >= lineEnd) throw BAIL;
      if (isMap) {
        const key = this.flowItem(pos, lineEnd, true);
        if (text.charCodeAt(key.after) !== COLON || text.charCodeAt(key.after + 1) !== SPACE) throw BAIL;
        const k = key.parsed.value;
        if (typeof k !== "string" || k === "<<" || k === "__proto__" || Object.hasOwn(data, k)) throw BAIL;
        const value = this.flowItem(this.skipSpaces(key.after + 1), lineEnd, false);
        (node as YAMLMap).items.push(newPair(key.parsed.node, value.parsed.node));
        (data as Record<string, unknown>)[k] = value.parsed.value;
        pos = value.after;
      } else {
        const item = this.flowItem(pos, lineEnd, false);
        (node as YAMLSeq).items.push(item.parsed.node);
        (data as unknown[]).push(item.parsed.value);
        pos = item.after;
      }
      const c = text.charCodeAt(pos);
      if (c === close) {
        node.range = [open, pos + 1, pos + 1];
        return { parsed: { node, value: data }, end: pos + 1 };
      }
      if (c !== 44) throw BAIL;
      pos = this.skipSpaces(pos + 1);
      if (text.charCodeAt(pos) === close || text.charCodeAt(pos) === 44) throw BAIL; // trailing or empty entries
    }
  }

  /** One scalar or nested collection inside a flow collection; `after` is past its trailing spaces. */
  private flowItem(start: number, lineEnd: number, isKey: boolean): { parsed: Parsed; after: number } {
    const { text } = this;
    const c = text.charCodeAt(start);
    let parsed: Parsed;
    let end: number;
    if (c === 91 || c === 123) {
      if (isKey) throw BAIL;
      const flow = this.flow(start, lineEnd);
      parsed = flow.parsed;
      end = flow.end;
    } else if (c === 34 || c === 39) {
      const q = quoted(text, start, lineEnd);
      end = q.end;
      parsed = { node: scalarNode(q.value, q.value, c === 34 ? "QUOTE_DOUBLE" : "QUOTE_SINGLE", [start, end, end]), value: q.value };
    } else {
      end = this.flowPlainEnd(start, lineEnd, isKey);
      const source = text.slice(start, end);
      const resolved = resolvePlain(source);
      parsed = { node: scalarNode(resolved.value, source, "PLAIN", [start, end, end], resolved.minFractionDigits), value: resolved.value };
    }
    const after = this.skipSpaces(end);
    (parsed.node.range as [number, number, number])[2] = after;
    return { parsed, after };
  }

  /** The end of a plain scalar inside a flow collection (trailing spaces excluded). */
  private flowPlainEnd(start: number, lineEnd: number, isKey: boolean): number {
    const { text } = this;
    const c = text.charCodeAt(start);
    // Indicators that cannot start a plain scalar here, or start what the fast path leaves to yaml;
    // `-` only before a letter or digit (`-1`, `-x`).
    const next = text.charCodeAt(start + 1);
    const dashWord = c === 45 && ((next >= 48 && next <= 57) || (next >= 97 && next <= 122) || (next >= 65 && next <= 90));
    if (!dashWord && (c === 38 || c === 42 || c === 33 || c === 37 || c === 64 || c === 96 || c === 124 || c === 62 || c === 44 || c === 93 || c === 125 || c === HASH || c === COLON || c === 63 || c === 45)) throw BAIL;
    let end = start;
    for (let i = start; i < lineEnd; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 44 || ch === 93 || ch === 125 || ch === 91 || ch === 123) return end;
      if (ch === COLON) {
        if (isKey) return end;
        throw BAIL;
      }
      if (ch === SPACE) {
        if (text.charCodeAt(i + 1) === HASH) throw BAIL;
        continue;
      }
      if (ch === 34 || ch === 39) throw BAIL;
      end = i + 1;
    }
    throw BAIL;
  }
}
