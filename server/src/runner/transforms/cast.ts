/** `cast`: converts columns to a type; a value that does not convert fails naming the row and the value. */
import { StepError } from "../../errors";
import type { ColumnType } from "../../pipeline/model";
import type { DataRecord } from "../../sources/types";

class CastFailure extends Error {}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TRUE = new Set(["true", "t", "yes", "y", "1"]);
const FALSE = new Set(["false", "f", "no", "n", "0"]);

function toInteger(v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && INTEGER.test(v.trim())) {
    const n = Number(v.trim());
    if (Number.isSafeInteger(n)) return n;
    throw new CastFailure("is too large for an integer; cast it to decimal");
  }
  throw new CastFailure("is not an integer");
}

function toNumber(v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && DECIMAL.test(v.trim())) return Number(v.trim());
  throw new CastFailure("is not a number");
}

function toDecimal(v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "string" && DECIMAL.test(v.trim())) return v.trim();
  throw new CastFailure("is not a decimal number");
}

function toBoolean(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  const s = String(v).trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new CastFailure("is not a boolean (true/false, yes/no, 1/0)");
}

function toDate(v: unknown): string {
  const s = String(v).trim();
  const m = DATE.exec(s);
  if (m) {
    const d = new Date(`${s}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(s)) return s;
    throw new CastFailure("is not a real calendar date");
  }
  const t = Date.parse(s);
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}[T ]/.test(s) && !Number.isNaN(t)) return new Date(t).toISOString().slice(0, 10);
  throw new CastFailure("is not a date (YYYY-MM-DD)");
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?Z$/;

/** Already canonical (`2024-01-31T12:00:00.000Z` or without millis): checked by fields, far cheaper than Date.parse. */
function canonicalTimestamp(s: string): string | undefined {
  const m = ISO_UTC.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return undefined;
  if (d > 28 && new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  return m[7] ? s : `${s.slice(0, -1)}.000Z`;
}

function toTimestamp(v: unknown): string {
  const fast = typeof v === "string" ? canonicalTimestamp(v) : undefined;
  if (fast !== undefined) return fast;
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v.trim())) {
    const t = Date.parse(v.trim().replace(" ", "T"));
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new CastFailure("is not a timestamp (ISO 8601, e.g. 2024-01-31T12:00:00Z)");
}

function toJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new CastFailure("is not valid JSON");
  }
}

const CONVERTERS: Record<ColumnType, (v: unknown) => unknown> = {
  string: (v) => (typeof v === "object" ? JSON.stringify(v) : String(v)),
  integer: toInteger,
  number: toNumber,
  decimal: toDecimal,
  boolean: toBoolean,
  date: toDate,
  timestamp: toTimestamp,
  json: toJson,
};

/** Empty cells (CSV) and nulls stay null, except for `string`, where "" stays "". */
function isEmpty(v: unknown, type: ColumnType): boolean {
  return v === null || v === undefined || (v === "" && type !== "string");
}

function shownValue(v: unknown): string {
  const text = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** A cast stage; `opIndex` is the op's position in the step's transform list (for messages). */
export function castStage(types: Record<string, ColumnType>, opIndex: number) {
  const entries = Object.entries(types).map(([column, type]) => [column, type, CONVERTERS[type]] as const);
  let row = 0;
  return (batch: DataRecord[]): DataRecord[] => {
    for (const record of batch) {
      row++;
      for (const [column, type, convert] of entries) {
        const value = record[column];
        if (isEmpty(value, type)) {
          record[column] = value === undefined ? null : type === "string" ? value : null;
          continue;
        }
        try {
          record[column] = convert(value);
        } catch (err: unknown) {
          if (!(err instanceof CastFailure)) throw err;
          throw new StepError("cast-failed", `cast failed at row ${row} (transform op ${opIndex + 1}): column \`${column}\` value ${shownValue(value)} ${err.message}; fix the data, or cast it to another type (e.g. string), or drop bad rows first with a \`filter\``);
        }
      }
    }
    return batch;
  };
}
