/**
 * Column names and types from the first bytes of a CSV, JSONL or JSON object — a sample that may
 * end mid-record: the incomplete tail is dropped, never guessed at.
 */
import { parse } from "csv-parse/sync";
import type { ColumnType } from "../../pipeline/model";
import type { RecordFormat } from "../formats";
import { csvColumns, positionalNames } from "../formats/csvHeader";

export interface InferredColumn {
  name: string;
  type: ColumnType;
}

const INTEGER = /^[+-]?\d{1,18}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The type a value suggests; CSV text is read for what it looks like (`12` → integer). */
function valueType(value: unknown): ColumnType | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "object") return "json";
  const text = String(value).trim();
  if (INTEGER.test(text)) return "integer";
  if (NUMBER.test(text)) return "number";
  if (BOOLEAN.test(text)) return "boolean";
  if (DATE.test(text)) return "date";
  if (TIMESTAMP.test(text)) return "timestamp";
  return "string";
}

function widen(a: ColumnType | undefined, b: ColumnType | undefined): ColumnType | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has("integer") && pair.has("number")) return "number";
  if (pair.has("date") && pair.has("timestamp")) return "timestamp";
  return "string";
}

/** Columns in order of first appearance, typed by every sampled value (empty columns: string). */
export function columnsOf(records: readonly Record<string, unknown>[], names: readonly string[] = []): InferredColumn[] {
  const types = new Map<string, ColumnType | undefined>(names.map((n) => [n, undefined]));
  for (const record of records) for (const [name, value] of Object.entries(record)) types.set(name, widen(types.get(name), valueType(value)));
  return [...types].map(([name, type]) => ({ name, type: type ?? "string" }));
}

/** The sample's complete rows. */
function csvRows(text: string, complete: boolean, delimiter: string): string[][] {
  let body = complete ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  // A cut inside a quoted field makes the tail unparsable: drop lines until it parses.
  for (let tries = 0; tries < 50 && body.length > 0; tries++) {
    try {
      return parse(body, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][];
    } catch {
      body = body.slice(0, body.lastIndexOf("\n", body.length - 2) + 1);
    }
  }
  return [];
}

/** Columns named as the runner names them (`csvColumns`: a header that repeats a name fails the same way). */
function csvSample(rows: string[][], header: boolean, where: string): { names: string[]; records: Record<string, unknown>[] } {
  const first = header ? rows.shift() : rows[0];
  if (first === undefined) return { names: [], records: [] };
  const names = header ? csvColumns(first, where) : positionalNames(first.length);
  const records = rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
  return { names, records };
}

function jsonlSample(text: string, complete: boolean): Record<string, unknown>[] {
  const lines = text.split("\n");
  if (!complete) lines.pop();
  const out: Record<string, unknown>[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === "object" && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    } catch {
      // a malformed line says nothing about the columns
    }
  }
  return out;
}

/** The complete top-level objects at the start of a JSON array (a prefix of the document). */
function jsonArraySample(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const start = text.indexOf("[");
  let depth = 0;
  let inString = false;
  let objectStart = -1;
  for (let i = start + 1; start >= 0 && i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0 && c === "{") objectStart = i;
      depth++;
    } else if (c === "}" || c === "]") {
      if (depth === 0) break; // end of the array
      depth--;
      if (depth === 0 && objectStart >= 0) {
        try {
          out.push(JSON.parse(text.slice(objectStart, i + 1)) as Record<string, unknown>);
        } catch {
          // skip it
        }
        objectStart = -1;
      }
    }
  }
  return out;
}

export interface SampleOptions {
  format: RecordFormat;
  /** Whether the text is the whole object (else its last record may be cut). */
  complete: boolean;
  csv?: { delimiter?: string; header?: boolean };
  /** The sampled file or object, as errors name it. */
  where?: string;
}

/** Columns and types of a text sample, and how many records they were read from. Throws a `bad-record` ConnectorError for a CSV header the runner would refuse. */
export function inferSample(text: string, options: SampleOptions): { columns: InferredColumn[]; records: number } {
  if (options.format === "csv") {
    const rows = csvRows(text, options.complete, options.csv?.delimiter ?? ",");
    const { names, records } = csvSample(rows, options.csv?.header !== false, options.where ?? "CSV sample");
    return { columns: columnsOf(records, names), records: records.length };
  }
  const records = options.format === "jsonl" ? jsonlSample(text, options.complete) : jsonArraySample(text);
  return { columns: columnsOf(records), records: records.length };
}
