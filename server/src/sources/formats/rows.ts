/**
 * Staged rows: the runner's format for step outputs between steps. One line per record, values
 * separated by tabs, in PostgreSQL's COPY text encoding:
 *
 *   \H["id","name","amount","tags"]<TAB>nss*      the columns below, and the kind of each
 *   42<TAB>Ada<TAB>\N<TAB>\J["x"]                  42, "Ada", null, ["x"]
 *
 * A header line (again whenever the columns or a kind change) names the columns and gives each a
 * kind: `s` strings, `n` numbers (NaN and ±Infinity included), `b` booleans (`t`/`f`), `?` no value
 * yet, `*` anything. In any column `\N` is null and `\A` absent (the record has no such key). A
 * string is written as COPY text (`\\`, `\t`, `\n`, `\r` escaped), so a field starting with a
 * single `\` and a letter is a tag: in `*` columns `\#` a number (−0 as `-0`), `\I` an integer beyond
 * a double's exact range (a BigInt, as its digits), `\T`/`\F` a boolean, `\J` JSON
 * (an object or an array); anywhere `\U` a string that is not well-formed UTF-16 (as JSON, which keeps
 * its lone surrogates). Records come back exactly as JSON Lines would bring them (key order,
 * absent keys, nested values), at a fraction of the cost of JSON. When each column keeps one kind,
 * the lines are PostgreSQL COPY text as they are; otherwise `copyTextOf` strips the tags.
 */
import { ConnectorError } from "../../errors";
import { ownMap, setOwn } from "../../pipeline/ownKeys";
import { parseJson, stringifyJson } from "./exactJson";
import type { DataRecord } from "../types";
import type { ByteSource } from "./text";
import { decodeText } from "./text";

/** Data lines of one batch and the columns they are in (the batch had one header). */
export interface RowsText {
  columns: readonly string[];
  /** The batch's data lines, each ending with `\n`. */
  lines: string;
  /** What the lines hold that COPY text does not (`TAG_*` bits), when the encoder knows. */
  tags?: number;
  /** The lines as UTF-8, once a writer has encoded them (a load may send the same bytes). */
  bytes?: Uint8Array;
}

const TEXT_OF = new WeakMap<readonly DataRecord[], RowsText>();

/** The staged text of a batch (written or read as staged rows), while its records are unchanged. */
export function rowsTextOf(batch: readonly DataRecord[]): RowsText | undefined {
  return TEXT_OF.get(batch);
}

/** `RowsText.tags` bits: what makes the lines differ from COPY text. */
const TAG_TYPED = 1;
const TAG_ABSENT = 2;
const TAG_ILL_FORMED = 4;

/** Column kinds, as numbers while encoding and as letters in header lines. */
const KIND_STRING = 0;
const KIND_NUMBER = 1;
const KIND_BOOLEAN = 2;
const KIND_NONE = 3;
const KIND_ANY = 4;
const KIND_LETTERS = "snb?*";

/** A number as staged text: String(v), but −0 stays `-0` (String(-0) is "0"). */
function numberText(v: number): string {
  return v === 0 && 1 / v < 0 ? "-0" : String(v);
}

function kindOf(v: unknown): number {
  switch (typeof v) {
    case "string":
      return KIND_STRING;
    case "number":
      return KIND_NUMBER;
    case "boolean":
      return KIND_BOOLEAN;
    case "undefined":
      return KIND_NONE;
    default:
      return v === null ? KIND_NONE : KIND_ANY;
  }
}

const NEEDS_ESCAPE = /[\\\t\n\r\ud800-\udfff]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPES, (c) => ESCAPED[c] ?? c) : text;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` needs no escape (NEEDS_ESCAPE would not match): a loop, cheaper than a RegExp call on short strings. */
function isPlainText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 ? c === 9 || c === 10 || c === 13 : c === 92 || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

function encodeString(s: string): string {
  if (isPlainText(s)) return s;
  // A lone surrogate would not survive UTF-8: JSON keeps it as an escape.
  if (LONE_SURROGATE.test(s)) return `\\U${escapeText(JSON.stringify(s))}`;
  return s.replace(ESCAPES, (c) => ESCAPED[c] ?? c);
}

/** A value of a `*` column (or a string), as JSON.stringify would see it inside a record; `tag` records what COPY would need changed. */
function encodeTagged(v: unknown, tag: { bits: number }): string {
  switch (typeof v) {
    case "string": {
      const text = encodeString(v);
      if (text.charCodeAt(0) === 92 && text.charCodeAt(1) === 85) tag.bits |= TAG_ILL_FORMED;
      return text;
    }
    case "number":
      // NaN and ±Infinity too (JSON would make them null): PostgreSQL's floats and numerics hold them.
      tag.bits |= TAG_TYPED;
      return `\\#${numberText(v)}`;
    case "bigint":
      // An exact integer beyond a double's (exactJson.ts): its digits, read back as a BigInt.
      tag.bits |= TAG_TYPED;
      return `\\I${v}`;
    case "boolean":
      tag.bits |= TAG_TYPED;
      return v ? "\\T" : "\\F";
    case "undefined":
    case "function":
    case "symbol":
      tag.bits |= TAG_ABSENT;
      return "\\A";
    default: {
      if (v === null) return "\\N";
      const json = stringifyJson(v);
      if (json === undefined) {
        tag.bits |= TAG_ABSENT;
        return "\\A";
      }
      // What a record's JSON would hold: a Date (or anything with toJSON) may become a string or null.
      if (json.charCodeAt(0) === 34) return encodeTagged(JSON.parse(json) as string, tag);
      if (json === "null") return "\\N";
      tag.bits |= TAG_TYPED;
      return `\\J${escapeText(json)}`;
    }
  }
}

/** True when the record's own keys are exactly `columns`, in that order. */
function hasColumns(record: DataRecord, columns: readonly string[]): boolean {
  let i = 0;
  for (const key in record) {
    if (columns[i] !== key) return false;
    i++;
  }
  return i === columns.length;
}

/**
 * Writes `text` at `out[p]` as COPY text in UTF-8 (`\\`, `\t`, `\n`, `\r` escaped, as `encodeString`
 * does) and returns the position after it, or -1 at a lone surrogate (which `encodeString` tags).
 * `out` has room for 3 bytes per UTF-16 unit.
 */
function writeCopyText(out: Uint8Array, p: number, text: string): number {
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 0x80) {
      if (c === 92) {
        out[p++] = 92;
        out[p++] = 92;
      } else if (c < 32 && (c === 9 || c === 10 || c === 13)) {
        out[p++] = 92;
        out[p++] = c === 9 ? 116 : c === 10 ? 110 : 114;
      } else out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = c <= 0xdbff ? text.charCodeAt(j + 1) : 0;
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      out[p++] = 0xf0 | (cp >> 18);
      out[p++] = 0x80 | ((cp >> 12) & 0x3f);
      out[p++] = 0x80 | ((cp >> 6) & 0x3f);
      out[p++] = 0x80 | (cp & 0x3f);
      j++;
    }
  }
  return p;
}

const FIRST_BUFFER_MAX = 1 << 20;

/** Encodes batches of records as staged rows, keeping the current header across batches. */
export class RowsEncoder {
  private columns: string[] | undefined;
  private kinds: number[] = [];
  private readonly tag = { bits: 0 };
  /** Bytes per line of the last batch `encodeBytes` made: sizes the next one's buffer. */
  private rowBytes = 64;

  /** The batch's lines (with header lines where the columns or kinds change); its data lines are also kept for `rowsTextOf`. */
  encode(batch: readonly DataRecord[]): string {
    let head = "";
    const lines: string[] = [];
    let uniform = true;
    const tag = this.tag;
    tag.bits = 0;
    for (const record of batch) {
      let line = this.columns !== undefined && hasColumns(record, this.columns) ? this.line(record, this.columns) : undefined;
      if (line === undefined) {
        const header = this.newHeader(record);
        if (lines.length === 0) head += `${header}\n`;
        else {
          uniform = false;
          lines.push(header);
        }
        line = this.line(record, this.columns as string[]) as string;
      }
      lines.push(line);
    }
    if (lines.length === 0) return head;
    lines.push("");
    const body = lines.join("\n");
    if (uniform && this.columns) TEXT_OF.set(batch, { columns: this.columns, lines: body, tags: tag.bits });
    return head + body;
  }

  /**
   * The batch's lines written straight to UTF-8, when every record has the current columns and every
   * value fits its column's kind untagged (no header line, no `\A`, no lone surrogate, no `*`
   * column); else undefined, and `encode` makes the batch. The bytes are those of
   * `Buffer.from(encode(batch))` (a test holds them to it), made without a string per line, their
   * join and a second pass to encode them. Kept for `rowsTextOf` as lines without tags.
   */
  encodeBytes(batch: readonly DataRecord[]): Uint8Array | undefined {
    const { columns, kinds } = this;
    if (columns === undefined || batch.length === 0 || kinds.includes(KIND_ANY)) return undefined;
    const n = columns.length;
    // Sized from the last batch's lines, at most 1 MB up front (a batch of huge lines must not make
    // the next one ask for gigabytes); it doubles when a line needs more.
    let out = Buffer.allocUnsafe(Math.min(Math.ceil(batch.length * this.rowBytes * 1.25) + 256, FIRST_BUFFER_MAX));
    let p = 0;
    for (const record of batch) {
      if (!hasColumns(record, columns)) return undefined;
      for (let i = 0; i < n; i++) {
        const v = record[columns[i] as string];
        const kind = kinds[i] as number;
        let text: string;
        // null: `\N`, written as it is (writeCopyText would escape its backslash).
        if (v === null) text = "";
        else if (kind === KIND_STRING && typeof v === "string") text = v;
        else if (kind === KIND_NUMBER && typeof v === "number") text = numberText(v);
        else if (kind === KIND_BOOLEAN && typeof v === "boolean") text = v ? "t" : "f";
        else return undefined;
        // Room for the worst case: 3 bytes per UTF-16 unit (or `\N`), a tab and a newline.
        if (p + 3 * text.length + 4 > out.length) {
          const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, p + 3 * text.length + 4));
          out.copy(bigger, 0, 0, p);
          out = bigger;
        }
        if (i > 0) out[p++] = 9;
        if (v === null) {
          out[p++] = 92;
          out[p++] = 78;
          continue;
        }
        p = writeCopyText(out, p, text);
        if (p < 0) return undefined;
      }
      out[p++] = 10;
    }
    this.rowBytes = p / batch.length;
    // A view keeps its whole buffer alive (in the write queue and TEXT_OF): copy when most of it is slack.
    const bytes = out.length - p > FIRST_BUFFER_MAX / 4 && p < out.length / 2 ? Buffer.from(out.subarray(0, p)) : out.subarray(0, p);
    TEXT_OF.set(batch, {
      columns,
      tags: 0,
      bytes,
      get lines() {
        return bytes.toString("utf8");
      },
    });
    return bytes;
  }

  /** The record's line under the current kinds; undefined when a value does not fit its column's kind. */
  private line(record: DataRecord, columns: readonly string[]): string | undefined {
    const { kinds, tag } = this;
    let line = "";
    for (let i = 0; i < columns.length; i++) {
      const v = record[columns[i] as string];
      let text: string;
      const kind = kinds[i] as number;
      if (v === null) text = "\\N";
      else if (kind === KIND_ANY) text = encodeTagged(v, tag);
      else if (v === undefined) {
        tag.bits |= TAG_ABSENT;
        text = "\\A";
      } else if (kind === KIND_STRING && typeof v === "string") {
        text = encodeString(v);
        if (text.charCodeAt(0) === 92 && text.charCodeAt(1) === 85) tag.bits |= TAG_ILL_FORMED;
      } else if (kind === KIND_NUMBER && typeof v === "number") text = numberText(v);
      else if (kind === KIND_BOOLEAN && typeof v === "boolean") text = v ? "t" : "f";
      else return undefined;
      line = i === 0 ? text : `${line}\t${text}`;
    }
    return line;
  }

  /** A header for this record: its columns, each column's kind kept where the value fits it, set where none was known, widened to `*` where it differs. */
  private newHeader(record: DataRecord): string {
    const columns = Object.keys(record);
    const same = this.columns !== undefined && columns.length === this.columns.length && columns.every((c, i) => c === this.columns?.[i]);
    this.kinds = columns.map((c, i) => {
      const now = kindOf(record[c]);
      const before = same ? (this.kinds[i] as number) : KIND_NONE;
      if (before === KIND_NONE || before === now) return now === KIND_NONE ? before : now;
      return now === KIND_NONE ? before : KIND_ANY;
    });
    this.columns = columns;
    return `\\H${JSON.stringify(columns)}\t${this.kinds.map((k) => KIND_LETTERS[k]).join("")}`;
  }
}

function unescapeText(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c));
}

function badRows(where: string, line: number, what: string): ConnectorError {
  return new ConnectorError("bad-record", `${where}: line ${line} is not a staged row (${what}); the staged output is damaged: run the step again`, false);
}

/** A header line's columns and kinds (a header without kinds, as first written, is all `*`). */
function parseHeader(line: string, where: string, lineNumber: number): { columns: string[]; kinds: number[]; proto: boolean } {
  const tab = line.indexOf("\t");
  let columns: unknown;
  try {
    columns = JSON.parse(tab < 0 ? line.slice(2) : line.slice(2, tab));
  } catch {
    columns = undefined;
  }
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === "string")) throw badRows(where, lineNumber, "a header that is not a JSON list of names");
  const letters = tab < 0 ? "*".repeat(columns.length) : line.slice(tab + 1);
  const kinds = [...letters].map((l) => KIND_LETTERS.indexOf(l));
  if (kinds.length !== columns.length || kinds.some((k) => k < 0)) throw badRows(where, lineNumber, "a header whose kinds do not match its columns");
  // The encoder writes a record's keys, never one twice; a repeated one would lose a value per record.
  if (new Set(columns).size !== columns.length) {
    const repeated = (columns as string[]).find((c, i) => columns.indexOf(c) !== i);
    throw badRows(where, lineNumber, `a header that names column ${JSON.stringify(repeated)} twice`);
  }
  return { columns: columns as string[], kinds, proto: columns.includes("__proto__") };
}

/** Reads staged rows as batches of records, at most `size` per batch, each at one header. */
export async function* readRowsBatches(source: ByteSource, where = "staged rows", size = 1000): AsyncGenerator<DataRecord[]> {
  let header: ReturnType<typeof parseHeader> | undefined;
  let carry = "";
  let lineNumber = 0;
  let batch: DataRecord[] = [];
  let batchText = "";
  const flush = (): DataRecord[] => {
    const out = batch;
    if (header && batchText) TEXT_OF.set(out, { columns: header.columns, lines: batchText });
    batch = [];
    batchText = "";
    return out;
  };
  for await (const chunk of decodeText(source)) {
    const text = carry + chunk;
    let start = 0;
    let runStart = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      lineNumber++;
      if (text.charCodeAt(start) === 92 && text.charCodeAt(start + 1) === 72) {
        // \H: the columns or kinds change; the batch so far keeps its own.
        batchText += text.slice(runStart, start);
        if (batch.length > 0) yield flush();
        header = parseHeader(text.slice(start, nl), where, lineNumber);
        start = nl + 1;
        runStart = start;
        continue;
      }
      if (!header) throw badRows(where, lineNumber, "no header before it");
      batch.push((header.proto ? decodeProtoLine : decodeLine)(text, start, nl, header.columns, header.kinds, where, lineNumber));
      start = nl + 1;
      if (batch.length >= size) {
        batchText += text.slice(runStart, start);
        runStart = start;
        yield flush();
      }
    }
    batchText += text.slice(runStart, start);
    carry = text.slice(start);
  }
  if (carry.length > 0) throw badRows(where, lineNumber + 1, "it does not end with a newline: the file is cut short");
  if (batch.length > 0) yield flush();
}

/** A tagged field (one that starts with `\`): set on the record, or skipped when absent. */
function decodeTagged(text: string, from: number, to: number, record: DataRecord, column: string): void {
  const tag = text.charCodeAt(from + 1);
  if (tag === 78) record[column] = null;
  else if (tag === 35) record[column] = Number(text.slice(from + 2, to));
  else if (tag === 73) record[column] = BigInt(text.slice(from + 2, to));
  else if (tag === 84) record[column] = true;
  else if (tag === 70) record[column] = false;
  else if (tag === 74) record[column] = parseJson(unescapeText(text.slice(from + 2, to)));
  else if (tag === 85) record[column] = JSON.parse(unescapeText(text.slice(from + 2, to)));
  else if (tag !== 65) record[column] = unescapeText(text.slice(from, to));
}

/** A record of a header that has a `__proto__` column: decoded into a map without a prototype (where `__proto__` is a plain key), then copied as own keys. */
function decodeProtoLine(text: string, start: number, end: number, columns: readonly string[], kinds: readonly number[], where: string, lineNumber: number): DataRecord {
  const decoded = decodeLine(text, start, end, columns, kinds, where, lineNumber, ownMap());
  const record: DataRecord = {};
  for (const column of columns) if (Object.hasOwn(decoded, column)) setOwn(record, column, decoded[column]);
  return record;
}

function decodeLine(text: string, start: number, end: number, columns: readonly string[], kinds: readonly number[], where: string, lineNumber: number, record: DataRecord = {}): DataRecord {
  if (columns.length === 0) {
    if (end !== start) throw badRows(where, lineNumber, "values where the header has no columns");
    return record;
  }
  let pos = start;
  const last = columns.length - 1;
  for (let i = 0; i <= last; i++) {
    let tab = text.indexOf("\t", pos);
    if (i === last) {
      if (tab >= 0 && tab < end) throw badRows(where, lineNumber, `more values than the header's ${columns.length} columns`);
      tab = end;
    } else if (tab < 0 || tab > end) throw badRows(where, lineNumber, `${i + 1} values, the header has ${columns.length}`);
    const column = columns[i] as string;
    const kind = kinds[i] as number;
    if (text.charCodeAt(pos) === 92) decodeTagged(text, pos, tab, record, column);
    else if (kind === KIND_STRING || kind === KIND_ANY) {
      const field = text.slice(pos, tab);
      record[column] = field.indexOf("\\") < 0 ? field : unescapeText(field);
    } else if (kind === KIND_NUMBER) record[column] = Number(text.slice(pos, tab));
    else if (kind === KIND_BOOLEAN) record[column] = text.charCodeAt(pos) === 116;
    else throw badRows(where, lineNumber, `a value in column ${JSON.stringify(column)}, which has none`);
    pos = tab + 1;
  }
  return record;
}

const TAG = /(^|\t)\\([#ITFJA])/gm;
const COPY_OF_TAG: Record<string, string> = { "#": "", I: "", T: "t", F: "f", J: "", A: "\\N" };
const ILL_FORMED = /(^|\t)\\U/m;

/**
 * Staged data lines as PostgreSQL COPY text: the lines themselves when every column kept one kind,
 * else with tags turned into COPY's values (a number or JSON as its text, true/false as t/f, absent
 * as NULL). Undefined when a string is not well-formed (the caller encodes those records itself).
 */
export function copyTextOf(text: RowsText): string | Uint8Array | undefined {
  if (text.tags === 0 && text.bytes) return text.bytes;
  const { lines, tags } = text;
  if (tags === undefined) {
    if (lines.indexOf("\\") < 0) return lines;
    if (ILL_FORMED.test(lines)) return undefined;
  } else {
    if (tags & TAG_ILL_FORMED) return undefined;
    if (tags === 0) return lines;
  }
  return lines.replace(TAG, (_, before: string, tag: string) => before + (COPY_OF_TAG[tag] ?? ""));
}
