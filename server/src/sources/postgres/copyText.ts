/**
 * Records → PostgreSQL COPY text format, in large string batches: one write per ~64 KB, not one
 * per row. Escapes `\`, tab, newline and carriage return; NULL is `\N`.
 */
import { isInheritedName, ownValue } from "../../pipeline/ownKeys";
import { stringifyJson } from "../formats/exactJson";
import type { DataRecord } from "../types";

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPE_MAP: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeCopyText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPES, (c) => ESCAPE_MAP[c] ?? c) : text;
}

/** One value as COPY text. Strings pass through (JSON text from a file stays JSON); objects become JSON. */
function encodeValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  switch (typeof value) {
    case "string":
      return escapeCopyText(value);
    case "number":
      // −0 as "-0" (String gives "0"): double precision keeps it; bigint and numeric read it as 0.
      if (value === 0) return 1 / value < 0 ? "-0" : "0";
      return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    case "boolean":
      return value ? "t" : "f";
    case "bigint":
      return value.toString();
    default:
      // An invalid date is what JSON makes it (null), as when the records went through staging.
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "\\N" : value.toISOString();
      return escapeCopyText(stringifyJson(value));
  }
}

/** For columns declared `json`: the value is parsed JSON, so a string is a JSON string. */
function encodeJson(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  return escapeCopyText(stringifyJson(value));
}

export class CopyRowEncoder {
  private readonly encoders: ((value: unknown) => string)[];
  private readonly known: Set<string>;
  /** Columns a record could inherit (`constructor`, `__proto__`…): read as own keys only. */
  private readonly inherited: boolean[];
  private lines: string[] = [];
  private size = 0;
  rows = 0;

  constructor(
    private readonly columns: readonly string[],
    /** Called with the first key a record has beyond `columns`. */
    private readonly onUnknownColumn: (column: string, row: number) => never,
    /** Columns whose values are parsed JSON (declared `json`); others pass strings through. */
    jsonColumns: ReadonlySet<string> = new Set(),
    /** Record columns left out on purpose: not sent, and not an unknown column. */
    private readonly ignored: ReadonlySet<string> = new Set(),
  ) {
    this.encoders = columns.map((c) => (jsonColumns.has(c) ? encodeJson : encodeValue));
    this.known = new Set(columns);
    this.inherited = columns.map(isInheritedName);
  }

  /** Adds a record; returns a batch to write once the buffer is large, else undefined. */
  add(record: DataRecord): string | undefined {
    const { columns, encoders, inherited } = this;
    let keys = 0;
    let line = "";
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as string;
      const value = inherited[i] ? ownValue(record, column) : record[column];
      if (value !== undefined) keys++;
      const text = (encoders[i] as (value: unknown) => string)(value);
      line = i === 0 ? text : `${line}\t${text}`;
    }
    this.rows++;
    if (keys !== Object.keys(record).length) this.checkKeys(record);
    this.lines.push(line);
    this.size += line.length + 1;
    // ~64 KB writes: large enough for the socket, small enough that the strings die young.
    if (this.size < 65_536) return undefined;
    return this.flush();
  }

  /** Counts records sent without this encoder (as their staged text), so record numbers stay right. */
  passed(records: number): void {
    this.rows += records;
  }

  flush(): string {
    if (this.lines.length === 0) return "";
    this.lines.push("");
    const out = this.lines.join("\n");
    this.lines = [];
    this.size = 0;
    return out;
  }

  private checkKeys(record: DataRecord): void {
    for (const [key, value] of Object.entries(record)) if (!this.known.has(key) && value !== undefined && !this.ignored.has(key)) this.onUnknownColumn(key, this.rows);
  }
}
