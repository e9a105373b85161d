/**
 * CSV: read with Papa Parse (quoted fields, embedded newlines, `""` escapes, any one-character
 * delimiter; a BOM is dropped by the decoder), written with csv-stringify. Papa parses text, not
 * bytes, which makes it several times cheaper per field than csv-parse on millions of rows.
 */
import Papa from "papaparse";
import { stringify } from "csv-stringify/sync";
import { ConnectorError } from "../../errors";
import { fieldReader, isInheritedName } from "../../pipeline/ownKeys";
import type { DataRecord } from "../types";
import { recordBatches } from "./batches";
import { stringifyJson } from "./exactJson";
import { csvColumns, describeClash, headerColumns, positionalNames } from "./csvHeader";
import { keptText, type OnBadLine } from "./badLines";
import { decodeText, type ByteSource } from "./text";

export interface CsvOptions {
  /** Field separator, default `,`. */
  delimiter?: string;
  /**
   * Whether the first line names the columns, default `true` (`csvHeader.ts`: trimmed, an empty
   * name is `column_N`, a repeated one an error); else columns are `column_1`, `column_2`…
   */
  header?: boolean;
  /**
   * What an empty field reads as. Default (`null`, YAML's null): an unquoted empty field is NULL
   * and a quoted `""` the empty string, as PostgreSQL's `COPY … CSV`, pandas, polars and dlt read
   * them; `empty`: both are the empty string.
   */
  empty_as?: "null" | "empty" | null;
}

/** A CSV row's fields: text, or null for an unquoted empty field (`empty_as` null). */
type Fields = (string | null)[];

/**
 * The empty quoted fields (`""`) of CSV text, as `row:column` (rows counted from the text's start as
 * Papa counts them: every line break outside quotes ends one). Scanned only when the text has `""`.
 */
export function quotedEmpties(text: string, delimiter: string, newline: string): Set<string> {
  const found = new Set<string>();
  const n = text.length;
  let row = 0;
  let col = 0;
  let i = 0;
  let fieldStart = true;
  while (i < n) {
    if (fieldStart && text.charCodeAt(i) === 34) {
      if (text.charCodeAt(i + 1) === 34 && (i + 2 === n || text.startsWith(delimiter, i + 2) || text.startsWith(newline, i + 2))) {
        found.add(`${row}:${col}`);
        i += 2;
      } else {
        // A quoted field: to its closing quote (a doubled quote inside is one quote).
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) return found; // still open: the rest is the next chunk's
          if (text.charCodeAt(q + 1) === 34) j = q + 2;
          else {
            i = q + 1;
            break;
          }
        }
      }
      fieldStart = false;
      continue;
    }
    if (text.startsWith(delimiter, i)) {
      col++;
      i += delimiter.length;
      fieldStart = true;
      continue;
    }
    if (text.startsWith(newline, i)) {
      row++;
      col = 0;
      i += newline.length;
      fieldStart = true;
      continue;
    }
    const d = text.indexOf(delimiter, i);
    const l = text.indexOf(newline, i);
    const next = d < 0 ? l : l < 0 ? d : Math.min(d, l);
    i = next < 0 ? n : next;
    fieldStart = false;
  }
  return found;
}

type Newline = "\n" | "\r\n" | "\r";

/** The file's line ending: the first one outside quotes (undefined until the text holds one). */
function detectNewline(text: string): Newline | undefined {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (!quoted && c === 10) return "\n";
    else if (!quoted && c === 13) return i + 1 < text.length ? (text.charCodeAt(i + 1) === 10 ? "\r\n" : "\r") : undefined;
  }
  return undefined;
}

function badCsv(where: string, what: string): ConnectorError {
  return new ConnectorError("bad-record", `${where}: not valid CSV: ${what}; check the quoting (a field with the delimiter, a quote or a line break must be in double quotes, quotes doubled inside)`, false);
}

type RecordOf = (row: readonly (string | null)[]) => DataRecord;

/**
 * A function that makes a row's record in one object literal (`{ ["id"]: row[0], … }`), generated
 * for the header. Records made key by key (`record[name] = value`) go through a hidden-class
 * transition per key; a literal allocates each record with its final shape at once, 3–4× cheaper
 * on a million rows, and every record shares that shape, which keeps the cast and the staged-rows
 * encoder monomorphic. Column names enter the code only as JSON string literals. The names are
 * distinct (`csvColumns` refuses a header that repeats one): a repeated key would keep only its
 * last value.
 */
function recordMaker(columns: readonly string[]): RecordOf {
  const fields = columns.map((name, i) => `[${JSON.stringify(name)}]: row[${i}]`).join(", ");
  return new Function("row", `return { ${fields} };`) as RecordOf;
}

/** Turns parsed rows into records: the header row names the columns; every row must have as many fields. */
class RowsToRecords {
  private columns: string[] | undefined;
  private make: RecordOf = () => ({});
  /** Data rows seen so far (for messages). */
  private count = 0;
  /** Under `onBad`: the line the next row starts on, from 1. */
  private line = 1;

  constructor(
    private readonly header: boolean,
    readonly where: string,
    private readonly onBad?: OnBadLine,
    /** `empty_as` null: unquoted empty fields read as null. */
    readonly nullEmpty = true,
  ) {}

  /** `row`'s empty fields as null, but those `quoted` (`quotedEmpties`) names by `index:column`. */
  private nulled(row: Fields, index: number | undefined, quoted: Set<string> | undefined): Fields {
    if (!this.nullEmpty) return row;
    for (let c = 0; c < row.length; c++) if (row[c] === "" && !(quoted && quoted.has(`${index}:${c}`))) row[c] = null;
    return row;
  }

  /** The records of Papa's rows; `quoted`: the empty quoted fields of the text they were parsed from. */
  take(rows: string[][], quoted?: Set<string>): DataRecord[] {
    const out: DataRecord[] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as string[];
      if (row.length === 1 && row[0] === "") continue; // an empty line
      if (this.columns === undefined) {
        this.columns = this.header ? csvColumns(row, this.where) : positionalNames(row.length);
        this.make = recordMaker(this.columns);
        if (this.header) continue;
      }
      this.count++;
      if (row.length !== this.columns.length) throw this.fieldCount(row.length);
      out.push(this.make(this.nulled(row, r, quoted)));
    }
    return out;
  }

  /**
   * Under `onBad`: the record of one row whose raw text (without its line break) spans `lines`
   * lines; undefined for an empty line, the header, and a row with another number of fields than
   * the header (handed to `onBad`).
   */
  takeRow(row: string[], raw: string, lines: number, delimiter: string, newline: string): DataRecord | undefined {
    const line = this.line;
    this.line += lines;
    if (row.length === 1 && row[0] === "") return undefined;
    if (this.columns === undefined) {
      this.columns = this.header ? csvColumns(row, this.where) : positionalNames(row.length);
      this.make = recordMaker(this.columns);
      if (this.header) return undefined;
    }
    this.count++;
    if (row.length === this.columns.length) return this.make(this.nulled(row, 0, this.nullEmpty && raw.includes('""') ? quotedEmpties(raw, delimiter, newline) : undefined));
    this.rejectLine(raw, `the record has ${row.length} fields, the header has ${this.columns.length}`, line);
    return undefined;
  }

  /** Under `onBad`: hands on a bad row or line starting on `line` (default: the next one, which it passes). */
  rejectLine(text: string, reason: string, line?: number): void {
    if (line === undefined) {
      line = this.line++;
      this.count++;
    }
    this.onBad?.({ source: this.where, line, text: keptText(text), reason });
  }

  private fieldCount(n: number): ConnectorError {
    return badCsv(this.where, `record ${this.count} (line ${this.count + (this.header ? 1 : 0)} if no field spans lines) has ${n} fields, the header has ${this.columns?.length}`);
  }

  /** True once the header (or the first row) has fixed the columns. */
  get ready(): boolean {
    return this.columns !== undefined;
  }

  /**
   * The records of the whole lines of `text` up to the line break at `end`, with no quote character
   * in them, split at `newline` and `delimiter` exactly as Papa's fast mode splits them (`take` of
   * its rows), but with no array per row: the fields go into one reused array that the record
   * maker copies. Under `onBad`, a line with another number of fields than the header goes there.
   */
  takeLines(text: string, end: number, newline: string, delimiter: string): DataRecord[] {
    const out: DataRecord[] = [];
    const n = (this.columns as string[]).length;
    const fields: Fields = [];
    const empty = this.nullEmpty ? null : "";
    for (let pos = 0; pos <= end; ) {
      let stop = text.indexOf(newline, pos);
      if (stop < 0 || stop > end) stop = end;
      if (stop > pos) {
        fields.length = 0;
        for (let from = pos; ; ) {
          const at = text.indexOf(delimiter, from);
          if (at < 0 || at >= stop) {
            fields.push(from === stop ? empty : text.slice(from, stop));
            break;
          }
          fields.push(from === at ? empty : text.slice(from, at));
          from = at + delimiter.length;
        }
        this.count++;
        if (fields.length === n) out.push(this.make(fields));
        else if (this.onBad) this.onBad({ source: this.where, line: this.line, text: keptText(text.slice(pos, stop)), reason: `the record has ${fields.length} fields, the header has ${n}` });
        else throw this.fieldCount(fields.length);
      }
      this.line++;
      pos = stop + newline.length;
    }
    return out;
  }

  get records(): number {
    return this.count;
  }
}

/**
 * Batches of at most BATCH records: records in flight between steps stay few, so they die young
 * (cheap scavenges) instead of being promoted to the old generation.
 */
const BATCH = 1000;

function* slices(records: DataRecord[]): Generator<DataRecord[]> {
  for (let i = 0; i < records.length; i += BATCH) yield records.length <= BATCH ? records : records.slice(i, i + BATCH);
}

/**
 * Under `on_error: quarantine`, a record still open after this much text (a quote that never
 * closes) is taken as broken quoting, so a stray quote cannot hold the rest of the file in memory.
 */
const MAX_OPEN_RECORD = 1 << 20;

function occurrences(text: string, part: string): number {
  let n = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) n++;
  return n;
}

/**
 * Under `onBad`: the records of the whole rows of `text` (all of it when `last`), parsed one row at
 * a time (Papa's `step`), so each bad row is known by its line and raw text. A row with broken
 * quoting has its first line rejected and parsing goes on at the next line (a stray quote would
 * otherwise swallow the lines after it); a row with the wrong number of fields is rejected whole.
 * Returns the text left for the next chunk (a row cut by the chunk's end).
 */
function parseRejecting(rows: RowsToRecords, text: string, last: boolean, newline: Newline, delimiter: string): { records: DataRecord[]; rest: string } {
  const records: DataRecord[] = [];
  const rejectFirstLine = (input: string, from: number, reason: string): number => {
    const end = input.indexOf(newline, from);
    rows.rejectLine(input.slice(from, end < 0 ? input.length : end), reason);
    return end < 0 ? input.length : end + newline.length;
  };
  let pos = 0;
  for (;;) {
    const input = text.slice(pos);
    let start = 0;
    let resume = -1;
    const parser = new Papa.Parser({
      delimiter,
      newline,
      quoteChar: '"',
      step: (result: Papa.ParseStepResult<string[][]>) => {
        const end = result.meta.cursor;
        const error = result.errors[0];
        if (error && rows.ready) {
          resume = rejectFirstLine(input, start, error.message);
          parser.abort();
          return;
        }
        if (error) throw badCsv(rows.where, `${error.message} in the header`);
        const raw = input.slice(start, end);
        const body = raw.endsWith(newline) ? raw.slice(0, -newline.length) : raw;
        const record = rows.takeRow(result.data[0] ?? [""], body, occurrences(raw, newline), delimiter, newline);
        if (record) records.push(record);
        start = end;
      },
    });
    const result = parser.parse(input, 0, !last) as Papa.ParseResult<string[]>;
    if (resume >= 0) {
      pos += resume;
      continue;
    }
    const open = input.length - result.meta.cursor;
    if (last || open <= MAX_OPEN_RECORD || !rows.ready) return { records, rest: input.slice(result.meta.cursor) };
    const reason = result.errors[0]?.message ?? `a quoted field is still open after ${MAX_OPEN_RECORD / (1 << 20)} MiB of text`;
    pos += rejectFirstLine(input, result.meta.cursor, reason);
  }
}

/**
 * Reads CSV as batches of records; values are strings (cast them with a `cast` transform). With
 * `onBad`, a row that does not parse goes there (`parseRejecting`) instead of failing the read.
 */
export async function* readCsvBatches(source: ByteSource, options: CsvOptions = {}, where = "CSV input", onBad?: OnBadLine): AsyncGenerator<DataRecord[]> {
  const delimiter = options.delimiter ?? ",";
  const rows = new RowsToRecords(options.header !== false, where, onBad, options.empty_as !== "empty");
  // One character that Papa takes as it is (it reads `,` for a line break, a quote or a BOM).
  const plainDelimiter = delimiter.length === 1 && !["\r", "\n", '"', "\ufeff"].includes(delimiter);
  let newline: Newline | undefined;
  let carry = "";
  const parse = (text: string, last: boolean) => {
    const result = new Papa.Parser({ delimiter, newline: newline ?? "\n", quoteChar: '"' }).parse(text, 0, !last) as Papa.ParseResult<string[]>;
    // Before the end, the last row may be cut anywhere (e.g. between a closing quote and its CR LF):
    // its "errors" are not real; it is parsed again with the next chunk.
    const error = result.errors.find((e: Papa.ParseError) => last || (e.row ?? 0) < result.data.length);
    if (error) throw badCsv(where, `${error.message} near record ${rows.records + (result.data.length || 1)} (line ${rows.records + 2} or later)`);
    const quoted = rows.nullEmpty && text.includes('""') ? quotedEmpties(text, delimiter, newline ?? "\n") : undefined;
    return { records: rows.take(result.data as string[][], quoted), rest: text.slice(result.meta.cursor) };
  };
  const parseChunk = (text: string, last: boolean) => (onBad ? parseRejecting(rows, text, last, newline ?? "\n", delimiter) : parse(text, last));
  let first = true;
  for await (const chunk of decodeText(source)) {
    // Text sources keep their BOM (the byte decoder drops it).
    const text = carry + (first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk);
    first = false;
    newline ??= detectNewline(text);
    if (newline === undefined) {
      carry = text;
      continue;
    }
    const whole = text.lastIndexOf(newline);
    if (plainDelimiter && rows.ready && whole >= 0 && text.indexOf('"') < 0) {
      // No quotes: the common case, split here without Papa's row arrays; the last, cut line waits for the next chunk.
      carry = text.slice(whole + newline.length);
      yield* slices(rows.takeLines(text, whole, newline, delimiter));
      continue;
    }
    const { records, rest } = parseChunk(text, false);
    carry = rest;
    yield* slices(records);
  }
  if (carry.length > 0) {
    yield* slices(parseChunk(carry, true).records);
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return stringifyJson(value);
  // String(-0) is "0": −0 is kept, as a double reads it back.
  return value === 0 && 1 / value < 0 ? "-0" : String(value);
}

function checkColumns(record: DataRecord, known: Set<string>, n: number): void {
  for (const key in record) {
    if (!known.has(key)) throw new ConnectorError("bad-record", `record ${n} has column \`${key}\` that the first record does not have; CSV columns are fixed by the first record — add a \`select\` transform to fix the columns`);
  }
}

/**
 * A header a reader would take for fewer columns (two names equal once trimmed, or an empty name
 * whose `column_N` another column has) fails before anything is written: the file would not read back.
 */
function checkHeader(columns: readonly string[]): void {
  const { clashes } = headerColumns(columns);
  if (clashes.length === 0) return;
  throw new ConnectorError(
    "bad-record",
    `the records' columns would not read back from a CSV header as distinct columns: ${clashes.map(describeClash).join("; ")}; give them distinct names with a \`rename\` transform before this load`,
  );
}

/**
 * Writes CSV with a header row. The columns are those of the first record; a later record with
 * another column fails (streaming cannot go back and widen the header). A header that the reader
 * would name differently only by trimming, or an empty name (read back as `column_N`), is written
 * as it is; one it would refuse fails (`checkHeader`).
 */
export async function* writeCsv(records: AsyncIterable<DataRecord>, options: CsvOptions = {}): AsyncGenerator<string> {
  let columns: string[] | undefined;
  let known = new Set<string>();
  let readers: ((record: DataRecord) => unknown)[] | null | undefined;
  let n = 0;
  for await (const batch of recordBatches(records)) {
    if (batch.length === 0) continue;
    const header = columns === undefined;
    if (!columns) {
      columns = Object.keys(batch[0] as DataRecord);
      if (options.header !== false) checkHeader(columns);
      known = new Set(columns);
    }
    const cols = columns;
    // Names a record could inherit (`constructor`, `__proto__`…) are read as own keys only; the usual case keeps the plain lookup.
    readers ??= cols.some(isInheritedName) ? cols.map(fieldReader) : null;
    const read = readers;
    const rows = batch.map((record) => {
      checkColumns(record, known, ++n);
      return read ? read.map((field) => cell(field(record))) : cols.map((c) => cell(record[c]));
    });
    yield stringify(rows, { delimiter: options.delimiter ?? ",", header: header && options.header !== false, columns: cols });
  }
}
