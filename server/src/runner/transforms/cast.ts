/** `cast`: converts columns to a type; a value that does not convert fails naming the row and the value (or, under `on_error: quarantine`, rejects its record). */
import { StepError } from "../../errors";
import type { ColumnType } from "../../pipeline/model";
import { isInheritedName, ownValue, setOwn } from "../../pipeline/ownKeys";
import { stringifyJson } from "../../sources/formats/exactJson";
import type { DataRecord } from "../../sources/types";
import type { Rejects } from "./rejects";

class CastFailure extends Error {}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TRUE = new Set(["true", "t", "yes", "y", "1"]);
const FALSE = new Set(["false", "f", "no", "n", "0"]);

/** `s` without surrounding white space; the cheap answer when it has none (the usual case, millions of times). */
function trimmed(s: string): string {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first > 32 && first < 127 && last > 32 && last < 127 ? s : s.trim();
}

/** True when `s` is `[+-]?digits` (`/^[+-]?\d+$/`), checked without a RegExp. */
function isPlainInteger(s: string): boolean {
  let i = s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when `s` is `[+-]?digits[.digits]` or `[+-]?.digits` (DECIMAL without an exponent); else DECIMAL decides. */
function isDecimal(s: string): boolean {
  let i = s.charCodeAt(0) === 43 || s.charCodeAt(0) === 45 ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else return DECIMAL.test(s);
  }
  return digits > 0;
}

const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `[+-]?digits[.digits]` of at most 15 digits as a double, without Number()'s general parser: the
 * digits make an exact integer below 2^53 and 10^k is exact, so one division rounds correctly and
 * gives exactly what Number(s) gives. Undefined for anything else.
 */
function shortDecimal(s: string): number | undefined {
  const c0 = s.charCodeAt(0);
  let i = c0 === 43 || c0 === 45 ? 1 : 0;
  let units = 0;
  let digits = 0;
  let scale = -1;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      units = units * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    } else if (c === 46 && scale < 0) scale = 0;
    else return undefined;
  }
  if (digits === 0 || digits > 15) return undefined;
  const v = scale > 0 ? units / (POWERS_OF_TEN[scale] as number) : units;
  return c0 === 45 ? -v : v;
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** An integer beyond a double's exact range, kept exactly (a BigInt) while a 64-bit integer holds it. */
function bigInteger(v: bigint): bigint {
  if (v >= INT8_MIN && v <= INT8_MAX) return v;
  throw new CastFailure("is too large for an integer (64-bit, ±9223372036854775807); cast it to decimal");
}

function toInteger(v: unknown): number | bigint {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "bigint") return bigInteger(v);
  if (typeof v === "string") {
    const s = trimmed(v);
    if (isPlainInteger(s)) {
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : bigInteger(BigInt(s));
    }
  }
  throw new CastFailure("is not an integer");
}

function toNumber(v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  // A double, as asked: the nearest one to the exact integer.
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") {
    const s = trimmed(v);
    const short = shortDecimal(s);
    if (short !== undefined) return short;
    if (isDecimal(s)) return Number(s);
  }
  throw new CastFailure("is not a number");
}

function toDecimal(v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) return v === 0 && 1 / v < 0 ? "-0" : String(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") {
    const s = trimmed(v);
    if (isDecimal(s)) return s;
  }
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

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits at `s[from..from+n)` as a number, or -1 when any is not a digit. */
function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Already canonical (`2024-01-31T12:00:00.000Z` or without millis): checked field by field, far
 * cheaper than a RegExp and Date.parse (it runs once per value of millions).
 */
function canonicalTimestamp(s: string): string | undefined {
  const len = s.length;
  if ((len !== 20 && len !== 24) || s.charCodeAt(len - 1) !== 90 /* Z */) return undefined;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":") return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const se = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return undefined;
  if (d > (DAYS_IN_MONTH[mo - 1] as number) || (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)))) return undefined;
  if (len === 24) return s[19] === "." && digits(s, 20, 3) >= 0 ? s : undefined;
  return `${s.slice(0, 19)}.000Z`;
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
  string: (v) => (typeof v === "object" ? stringifyJson(v) : String(v)),
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
  const text = typeof v === "string" ? JSON.stringify(v) : typeof v === "bigint" ? String(v) : stringifyJson(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** A cast stage; `opIndex` is the op's position in the step's transform list (for messages). With `rejects`, a record that does not convert is handed there and left out. */
export function castStage(types: Record<string, ColumnType>, opIndex: number, rejects?: Rejects) {
  const columns = Object.keys(types);
  const kinds = columns.map((c) => types[c] as ColumnType);
  const converters = kinds.map((t) => CONVERTERS[t]);
  const n = columns.length;
  let row = 0;
  /** Whether the record is rejected (under `rejects`); otherwise the failure fails the step. */
  const fail = (err: unknown, record: DataRecord, column: string, value: unknown, at: number): true => {
    if (!(err instanceof CastFailure)) throw err;
    if (rejects) {
      rejects.reject({ op: opIndex + 1, row: at, column, value, reason: `cast to ${types[column] ?? "?"}: value ${shownValue(value)} ${err.message}`, record });
      return true;
    }
    throw new StepError("cast-failed", `cast failed at row ${at} (transform op ${opIndex + 1}): column \`${column}\` value ${shownValue(value)} ${err.message}; fix the data, or cast it to another type (e.g. string), or drop bad rows first with a \`filter\`, or set \`on_error: quarantine\` on the step`);
  };
  // Columns a record could inherit (`constructor`, `__proto__`…) are read and set as own keys only.
  const inherited = columns.map(isInheritedName);
  const castOwn = (record: DataRecord, i: number, at: number): boolean => {
    const column = columns[i] as string;
    const value = ownValue(record, column);
    const type = kinds[i] as ColumnType;
    try {
      setOwn(record, column, isEmpty(value, type) ? (type === "string" && value !== undefined ? value : null) : (converters[i] as (v: unknown) => unknown)(value));
      return false;
    } catch (err: unknown) {
      return fail(err, record, column, value, at);
    }
  };
  /** Casts one record in place; true when it was rejected. */
  const castRecord = (record: DataRecord, at: number): boolean => {
    for (let i = 0; i < n; i++) {
      const column = columns[i] as string;
      if (inherited[i]) {
        if (castOwn(record, i, at)) return true;
        continue;
      }
      const value = record[column];
      const type = kinds[i] as ColumnType;
      if (isEmpty(value, type)) {
        record[column] = value === undefined ? null : type === "string" ? value : null;
        continue;
      }
      try {
        record[column] = (converters[i] as (v: unknown) => unknown)(value);
      } catch (err: unknown) {
        return fail(err, record, column, value, at);
      }
    }
    return false;
  };
  return (batch: DataRecord[]): DataRecord[] => {
    let kept = batch;
    for (let r = 0; r < batch.length; r++) {
      const record = batch[r] as DataRecord;
      if (!castRecord(record, row + r + 1)) {
        if (kept !== batch) kept.push(record);
        continue;
      }
      // The first rejected record: keep the ones before it, and from now on only the good ones.
      if (kept === batch) kept = batch.slice(0, r);
    }
    row += batch.length;
    return kept;
  };
}
