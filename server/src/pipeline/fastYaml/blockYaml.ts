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
import type { Node, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { newMap, newPair, newSeq } from "./nodes";
import { BAIL, plainScalar, quoted, quotedEnd, quotedScalar } from "./scalars";

export interface FastDocument {
  contents: YAMLMap | YAMLSeq;
  /** What `doc.toJS()` gives. */
  data: unknown;
}

/** Characters the fast path refuses anywhere: tabs, CR, other controls, a BOM, YAML 1.1 line breaks. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const REFUSED = /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\ufeff\u2028\u2029]/;

/**
 * Parses `text` (or the part `[start, end)` of it, which must begin at a line start and end after a
 * newline, before a line with content, or at the text's end; ranges are then offsets in the whole
 * text, as `yaml` gives them for the whole text). Undefined when the text
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

const rangeOf = (node: Node): [number, number, number] => node.range as [number, number, number];

/** Deeper nesting than any pipeline needs is left to `yaml` (which reports what it must), not to the stack. */
const MAX_DEPTH = 64;

/**
 * The parser. Its methods return the node they read and leave the rest in fields (thousands of
 * small result objects were most of the first parse's garbage): `data` the node's plain value,
 * `line` the start of the next line with content (-1 at the end), and the blank and comment lines
 * before it: `trailEnd` the offset of that content (or the end), `trailMax` the deepest comment's
 * indent (-1: none).
 */
class BlockParser {
  private data: unknown;
  private line = -1;
  private trailEnd = -1;
  private trailMax = -1;
  /** Past the last flow collection's bracket, or past a flow item's trailing spaces. */
  private after = 0;
  /** Collections open around the current position. */
  private depth = 0;

  constructor(
    private readonly text: string,
    /** Where the part being parsed ends (the text beyond it is never read as content). */
    private readonly len: number,
  ) {}

  document(start: number): FastDocument {
    this.trailing(start, -1);
    const first = this.line;
    if (first < 0) throw BAIL;
    const indent = this.indentAt(first);
    const at = first + indent;
    const node = this.isDash(at) ? this.blockSeq(at, indent) : this.keyEnd(at) > 0 ? this.blockMap(at, indent) : this.fail();
    // Comments after the root collection belong to the document: they change no range.
    if (this.line >= 0) throw BAIL;
    return { contents: node as YAMLMap | YAMLSeq, data: this.data };
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
   * Skips the blank and comment lines from line start `pos` to the next line with content (sets
   * `line`, `trailEnd`, `trailMax`). When `value` (a one-line value of a collection at `indent`) is
   * given, comments right below it that are indented deeper than the collection extend its range,
   * as `yaml` attaches them to it.
   */
  private trailing(pos: number, indent: number, value?: Node): void {
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
      if (c !== HASH) {
        this.line = pos;
        this.trailEnd = i;
        this.trailMax = maxIndent;
        return;
      }
      const ind = i - pos;
      pos = this.nextLine(i);
      if (value && maxIndent < 0 && ind > indent) rangeOf(value)[2] = pos;
      else maxIndent = Math.max(maxIndent, ind);
    }
    this.line = -1;
    // A part ends before a line with content (chunks.ts): `yaml`, reading the whole text, ends the
    // comments there at that content, past the line's indentation.
    this.trailEnd = len < text.length ? this.skipSpaces(len) : len;
    this.trailMax = maxIndent;
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
      quoted(text, at, this.lineEnd(at));
      i = quotedEnd.at;
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
  private keyNode(at: number, colon: number): Scalar {
    const { text } = this;
    const c = text.charCodeAt(at);
    if (c === 34 || c === 39) return quotedScalar(quoted(text, at, colon), c === 34, at, colon, colon);
    return plainScalar(text.slice(at, colon), at, colon, colon);
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
  private close(node: YAMLMap | YAMLSeq, first: number, offset: number, indent: number, data: unknown): YAMLMap | YAMLSeq {
    const stays = this.trailMax >= 0 && indent > 0 && this.trailMax >= indent;
    node.range = [first, offset, stays ? this.trailEnd : offset];
    if (stays) this.trailMax = -1;
    this.data = data;
    return node;
  }

  private blockMap(first: number, indent: number): YAMLMap {
    if (++this.depth > MAX_DEPTH) throw BAIL;
    const map = newMap();
    const data: Record<string, unknown> = {};
    let at = first;
    let last: Node;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon < 0) throw BAIL;
      const key = this.keyNode(at, colon);
      const name = key.value;
      if (typeof name !== "string" || name === "<<" || name === "__proto__" || Object.hasOwn(data, name)) throw BAIL;
      last = this.value(colon + 1, indent, true);
      map.items.push(newPair(key, last));
      data[name] = this.data;
      const line = this.line;
      if (line < 0) break;
      const ind = this.indentAt(line);
      if (ind < indent) break;
      if (ind > indent || this.isDash(line + ind)) throw BAIL;
      at = line + ind;
    }
    this.depth--;
    return this.close(map, first, rangeOf(last)[2], indent, data) as YAMLMap;
  }

  private blockSeq(first: number, indent: number): YAMLSeq {
    if (++this.depth > MAX_DEPTH) throw BAIL;
    const seq = newSeq();
    const data: unknown[] = [];
    let at = first;
    let last: Node;
    for (;;) {
      last = this.value(at + 1, indent, false);
      seq.items.push(last);
      data.push(this.data);
      const line = this.line;
      if (line < 0) break;
      const ind = this.indentAt(line);
      if (ind < indent || (ind === indent && !this.isDash(line + ind))) break;
      if (ind > indent) throw BAIL;
      at = line + ind;
    }
    this.depth--;
    return this.close(seq, first, rangeOf(last)[2], indent, data) as YAMLSeq;
  }

  /**
   * The value after a map key's colon or a sequence entry's dash (`pos` is just past it), in a
   * collection at `indent`: on the same line, or below it.
   */
  private value(pos: number, indent: number, inMap: boolean): Node {
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
    const node = this.inline(start, lineEnd);
    this.trailing(this.nextLine(lineEnd), indent, node);
    // A more indented line after a one-line value continues it (a multi-line scalar) or is an error.
    if (this.line >= 0 && this.indentAt(this.line) > indent) throw BAIL;
    return node;
  }

  /** A value on the lines below its key or dash: a nested block collection, or empty (null). */
  private valueBelow(start: number, lineEnd: number, indent: number, inMap: boolean): Node {
    this.trailing(this.nextLine(lineEnd), indent);
    const line = this.line;
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
    if (!inMap || start < lineEnd || this.trailMax >= 0) throw BAIL;
    this.trailMax = -1;
    this.data = null;
    return plainScalar("", start, start, start);
  }

  /** A value that starts and ends on this line: plain, quoted or flow; its range runs to the line's end. */
  private inline(start: number, lineEnd: number): Node {
    const { text } = this;
    const c = text.charCodeAt(start);
    let node: Node;
    let valueEnd: number;
    if (c === 91 || c === 123) {
      node = this.flow(start, lineEnd);
      valueEnd = this.after;
    } else if (c === 34 || c === 39) {
      const value = quoted(text, start, lineEnd);
      valueEnd = quotedEnd.at;
      node = quotedScalar(value, c === 34, start, valueEnd, valueEnd);
      this.data = value;
    } else {
      valueEnd = this.plainEnd(start, lineEnd);
      node = plainScalar(text.slice(start, valueEnd), start, valueEnd, valueEnd);
      this.data = (node as Scalar).value;
    }
    // After the value: spaces, then a comment or the line's end.
    const rest = this.skipSpaces(valueEnd);
    if (rest < lineEnd && (text.charCodeAt(rest) !== HASH || rest === valueEnd)) throw BAIL;
    rangeOf(node)[2] = this.nextLine(lineEnd);
    return node;
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

  /** A flow collection (`[…]` or `{…}`) that closes on this line; `after` is set just past its bracket. */
  private flow(open: number, lineEnd: number): YAMLMap | YAMLSeq {
    if (++this.depth > MAX_DEPTH) throw BAIL;
    const { text } = this;
    const isMap = text.charCodeAt(open) === 123;
    const close = isMap ? 125 : 93;
    const node = isMap ? newMap() : newSeq();
    node.flow = true;
    const data: Record<string, unknown> | unknown[] = isMap ? {} : [];
    let pos = this.skipSpaces(open + 1);
    if (text.charCodeAt(pos) !== close) {
      for (;;) {
        if (pos >= lineEnd) throw BAIL;
        if (isMap) {
          const key = this.flowItem(pos, lineEnd, true);
          const keyEnd = this.after;
          // `{b : 1}`: yaml ends such a key's node at its text, not past the space; left to yaml.
          if (keyEnd !== rangeOf(key)[1]) throw BAIL;
          if (text.charCodeAt(keyEnd) !== COLON || text.charCodeAt(keyEnd + 1) !== SPACE) throw BAIL;
          const k = this.data;
          if (typeof k !== "string" || k === "<<" || k === "__proto__" || Object.hasOwn(data, k)) throw BAIL;
          const value = this.flowItem(this.skipSpaces(keyEnd + 1), lineEnd, false);
          (node as YAMLMap).items.push(newPair(key, value));
          (data as Record<string, unknown>)[k] = this.data;
        } else {
          (node as YAMLSeq).items.push(this.flowItem(pos, lineEnd, false));
          (data as unknown[]).push(this.data);
        }
        pos = this.after;
        const c = text.charCodeAt(pos);
        if (c === close) break;
        if (c !== 44) throw BAIL;
        pos = this.skipSpaces(pos + 1);
        if (text.charCodeAt(pos) === close || text.charCodeAt(pos) === 44) throw BAIL; // trailing or empty entries
      }
    }
    node.range = [open, pos + 1, pos + 1];
    this.after = pos + 1;
    this.data = data;
    this.depth--;
    return node;
  }

  /** One scalar or nested collection inside a flow collection; `after` is set past its trailing spaces. */
  private flowItem(start: number, lineEnd: number, isKey: boolean): Node {
    const { text } = this;
    const c = text.charCodeAt(start);
    let node: Node;
    let end: number;
    if (c === 91 || c === 123) {
      if (isKey) throw BAIL;
      node = this.flow(start, lineEnd);
      end = this.after;
    } else if (c === 34 || c === 39) {
      const value = quoted(text, start, lineEnd);
      end = quotedEnd.at;
      node = quotedScalar(value, c === 34, start, end, end);
      this.data = value;
    } else {
      end = this.flowPlainEnd(start, lineEnd, isKey);
      node = plainScalar(text.slice(start, end), start, end, end);
      this.data = (node as Scalar).value;
    }
    this.after = this.skipSpaces(end);
    rangeOf(node)[2] = this.after;
    return node;
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
