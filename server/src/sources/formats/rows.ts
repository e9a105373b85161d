/**
 * Staged rows: the runner's format for step outputs between steps. One line per record, values
 * separated by tabs, in PostgreSQL's COPY text encoding, which JSON's types ride on with a tag:
 *
 *   \H["id","name","amount"]      the columns of the records below (again whenever they change)
 *   \#42<TAB>Ada<TAB>\N           42 (a number), "Ada", null
 *
 * A string is written as COPY text (`\\`, `\t`, `\n`, `\r` escaped), so its backslashes come
 * doubled and a field starting with a single `\` and one of these letters is a tag: `\N` null,
 * `\A` absent (the record has no such key), `\#` a number, `\T` true, `\F` false, `\J` JSON
 * (an object or an array), `\U` a string that is not well-formed UTF-16 (as JSON, which keeps its
 * lone surrogates), `\H` a header line (a JSON list of column names). Records
 * come back exactly as JSON Lines would bring them (key order, absent keys, numbers, nested
 * values), at a fraction of the cost of JSON, and a PostgreSQL load can send the lines to
 * `COPY … FROM STDIN` after stripping the tags (`copyTextOf`), without encoding each record again.
 */
import { ConnectorError } from "../../errors";
import type { DataRecord } from "../types";
import type { ByteSource } from "./text";
import { decodeText } from "./text";

/** Data lines of one batch and the columns they are in (the batch had one header). */
export interface RowsText {
  columns: readonly string[];
  /** The batch's data lines, each ending with `\n`. */
  lines: string;
  /** Which tags the lines hold (`TAG_*` bits), when the encoder knows. */
  tags?: number;
}

const TAG_NUMBER = 1;
const TAG_BOOLEAN = 2;
const TAG_JSON = 4;
const TAG_ABSENT = 8;
const TAG_ILL_FORMED = 16;

const TEXT_OF = new WeakMap<readonly DataRecord[], RowsText>();

/** The staged text of a batch (written or read as staged rows), while its records are unchanged. */
export function rowsTextOf(batch: readonly DataRecord[]): RowsText | undefined {
  return TEXT_OF.get(batch);
}

const NEEDS_ESCAPE = /[\\\t\n\r\ud800-\udfff]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPES, (c) => ESCAPED[c] ?? c) : text;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function encodeString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  // A lone surrogate would not survive UTF-8: JSON keeps it as an escape.
  if (LONE_SURROGATE.test(s)) return `\\U${escapeText(JSON.stringify(s))}`;
  return s.replace(ESCAPES, (c) => ESCAPED[c] ?? c);
}

/** One value, as JSON.stringify would see it inside a record; `tag` records which tag it needed. */
function encodeValue(v: unknown, tag: { bits: number }): string {
  switch (typeof v) {
    case "string": {
      const text = encodeString(v);
      if (text.charCodeAt(0) === 92 && text.charCodeAt(1) === 85) tag.bits |= TAG_ILL_FORMED;
      return text;
    }
    case "number":
      // NaN and ±Infinity too (JSON would make them null): PostgreSQL's floats and numerics hold them.
      tag.bits |= TAG_NUMBER;
      return `\\#${v}`;
    case "boolean":
      tag.bits |= TAG_BOOLEAN;
      return v ? "\\T" : "\\F";
    case "undefined":
    case "function":
    case "symbol":
      tag.bits |= TAG_ABSENT;
      return "\\A";
    case "bigint":
      throw new ConnectorError("bad-record", `a value is a bigint (${String(v)}), which records cannot hold; cast it to string or decimal`, false);
    default: {
      if (v === null) return "\\N";
      const json = JSON.stringify(v);
      if (json === undefined) {
        tag.bits |= TAG_ABSENT;
        return "\\A";
      }
      // What a record's JSON would hold: a Date (or anything with toJSON) may become a string or null.
      if (json.charCodeAt(0) === 34) return encodeValue(JSON.parse(json) as string, tag);
      if (json === "null") return "\\N";
      tag.bits |= TAG_JSON;
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

/** Encodes batches of records as staged rows, keeping the current header across batches. */
export class RowsEncoder {
  private columns: string[] | undefined;
  private readonly tag = { bits: 0 };

  /** The batch's lines (with header lines where the columns change); its data lines are also kept for `rowsTextOf`. */
  encode(batch: readonly DataRecord[]): string {
    let head = "";
    const lines: string[] = [];
    let uniform = true;
    const tag = this.tag;
    tag.bits = 0;
    for (const record of batch) {
      let columns = this.columns;
      if (columns === undefined || !hasColumns(record, columns)) {
        columns = Object.keys(record);
        this.columns = columns;
        const header = `\\H${JSON.stringify(columns)}`;
        if (lines.length === 0) head += `${header}\n`;
        else {
          uniform = false;
          lines.push(header);
        }
      }
      let line = "";
      for (let i = 0; i < columns.length; i++) line += i === 0 ? encodeValue(record[columns[i] as string], tag) : `\t${encodeValue(record[columns[i] as string], tag)}`;
      lines.push(line);
    }
    if (lines.length === 0) return head;
    lines.push("");
    const body = lines.join("\n");
    if (uniform && this.columns) TEXT_OF.set(batch, { columns: this.columns, lines: body, tags: tag.bits });
    return head + body;
  }
}

function unescapeText(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c));
}

function badRows(where: string, line: number, what: string): ConnectorError {
  return new ConnectorError("bad-record", `${where}: line ${line} is not a staged row (${what}); the staged output is damaged: run the step again`, false);
}

/** Reads staged rows as batches of records, at most `size` per batch, each at one header. */
export async function* readRowsBatches(source: ByteSource, where = "staged rows", size = 1000): AsyncGenerator<DataRecord[]> {
  let columns: string[] | undefined;
  let carry = "";
  let lineNumber = 0;
  let batch: DataRecord[] = [];
  let batchText = "";
  const flush = (): DataRecord[] => {
    const out = batch;
    if (columns && batchText) TEXT_OF.set(out, { columns, lines: batchText });
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
        // \H: the columns change; the batch so far keeps its own.
        batchText += text.slice(runStart, start);
        if (batch.length > 0) yield flush();
        try {
          columns = JSON.parse(text.slice(start + 2, nl)) as string[];
        } catch {
          throw badRows(where, lineNumber, "a header that is not a JSON list of names");
        }
        if (!Array.isArray(columns) || !columns.every((c) => typeof c === "string")) throw badRows(where, lineNumber, "a header that is not a JSON list of names");
        start = nl + 1;
        runStart = start;
        continue;
      }
      if (!columns) throw badRows(where, lineNumber, "no header before it");
      batch.push(decodeLine(text, start, nl, columns, where, lineNumber));
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

function decodeLine(text: string, start: number, end: number, columns: readonly string[], where: string, lineNumber: number): DataRecord {
  const record: DataRecord = {};
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
    if (text.charCodeAt(pos) !== 92) {
      const field = text.slice(pos, tab);
      record[column] = field.indexOf("\\") < 0 ? field : unescapeText(field);
    } else {
      const tag = text.charCodeAt(pos + 1);
      if (tag === 35) record[column] = Number(text.slice(pos + 2, tab));
      else if (tag === 78) record[column] = null;
      else if (tag === 84) record[column] = true;
      else if (tag === 70) record[column] = false;
      else if (tag === 74 || tag === 85) record[column] = JSON.parse(unescapeText(text.slice(pos + 2, tab)));
      else if (tag !== 65) record[column] = unescapeText(text.slice(pos, tab));
    }
    pos = tab + 1;
  }
  return record;
}

const TAG = /(^|\t)\\([#TFJA])/gm;
const NUMBER_TAG = /(^|\t)\\#/gm;
const COPY_OF_TAG: Record<string, string> = { "#": "", T: "t", F: "f", J: "", A: "\\N" };
const ILL_FORMED = /(^|\t)\\U/m;

/**
 * Staged data lines as PostgreSQL COPY text: the same escapes, tags turned into COPY's values (a
 * number or JSON as its text, true/false as t/f, absent as NULL). Undefined when a string is not
 * well-formed (the caller encodes those records itself, as it would any other).
 */
export function copyTextOf(text: RowsText): string | undefined {
  const { lines, tags } = text;
  if (tags === undefined) {
    if (lines.indexOf("\\") < 0) return lines;
    if (ILL_FORMED.test(lines)) return undefined;
  } else {
    if (tags & TAG_ILL_FORMED) return undefined;
    if (tags === 0) return lines;
    if (tags === TAG_NUMBER) return lines.replace(NUMBER_TAG, "$1");
  }
  return lines.replace(TAG, (_, before: string, tag: string) => before + (COPY_OF_TAG[tag] ?? ""));
}
