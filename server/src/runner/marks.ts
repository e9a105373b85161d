/**
 * Ordering high-water marks outside the database. When an extract reads, PostgreSQL compares the
 * column with the mark in the column's type (`col > $1`); here we only have the JSON values the
 * marks were stored as, which the connector produced from that type (client.ts): numbers, bigints
 * and numerics as decimal text, timestamps as ISO 8601 text with microseconds, dates as
 * `YYYY-MM-DD`. So decimals compare exactly as numbers, date/times as instants, anything else as
 * text (code-point order, which agrees with PostgreSQL's for the C collation).
 */
import { EtlError } from "../errors";
import { addDecimal, decimalText, isDecimalText, type DecimalSum } from "./transforms/decimal";

export type Mark = string | number;

/** A number's exact decimal text: String(1e21) is "1e+21", String(1e-7) is "1e-7". */
function numberText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (!/e/i.test(String(n))) return String(n);
  return Number.isInteger(n) ? BigInt(n).toString() : n.toFixed(100);
}

function decimalOf(mark: Mark): DecimalSum | undefined {
  const text = typeof mark === "number" ? numberText(mark) : mark.trim();
  return text !== undefined && isDecimalText(text) ? addDecimal({ units: 0n, scale: 0 }, text) : undefined;
}

function compareDecimals(a: DecimalSum, b: DecimalSum): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(scale - a.scale);
  const y = b.units * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i;

/**
 * Microseconds since 1970 of an ISO date or timestamp. One without an offset (a `date` or
 * `timestamp` column) counts as UTC: marks of one column agree on whether they have one.
 */
function instantOf(mark: Mark): bigint | undefined {
  if (typeof mark !== "string") return undefined;
  const m = DATE_TIME.exec(mark.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone = "Z"] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  const micros = BigInt(fraction.padEnd(6, "0").slice(0, 6));
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    offsetMinutes = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || "0")) * (digits.startsWith("-") ? -1 : 1);
  }
  return (BigInt(ms) - BigInt(offsetMinutes) * 60_000n) * 1000n + micros;
}

/** Negative, zero or positive as mark `a` is below, equal to or above mark `b`. */
export function compareMarks(a: Mark, b: Mark): number {
  const da = decimalOf(a);
  const db = decimalOf(b);
  if (da && db) return compareDecimals(da, db);
  const ta = instantOf(a);
  const tb = instantOf(b);
  if (ta !== undefined && tb !== undefined) return ta < tb ? -1 : ta > tb ? 1 : 0;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The larger of two marks (the first when they are equal). */
export function laterMark(a: Mark, b: Mark): Mark {
  return compareMarks(b, a) > 0 ? b : a;
}

const LAG_MICROS: Record<string, bigint> = { ms: 1000n, s: 1_000_000n, m: 60_000_000n, h: 3_600_000_000n, d: 86_400_000_000n };

/** An instant as ISO text with microseconds: with `Z` when the mark had an offset, else without one (a `timestamp` column). */
function instantText(micros: bigint, zoned: boolean): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString().slice(0, 19);
  const fraction = (((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).toString().padStart(6, "0");
  return `${iso}.${fraction}${zoned ? "Z" : ""}`;
}

/**
 * The mark `lag` behind `mark` (incremental `lag`): a duration (`10m`) behind a date or timestamp,
 * a number behind a numeric mark. An extract reads after it, so rows committed late within the
 * window are read on the next run (and twice where they were read already: a merge load absorbs them).
 */
export function markBehind(mark: Mark, lag: string | number): Mark {
  if (typeof lag === "number") {
    const d = decimalOf(mark);
    if (!d) throw new EtlError("incremental-lag", `incremental \`lag: ${lag}\` is a number, but the mark ${JSON.stringify(mark)} is not; give a duration such as \`lag: 10m\` for a date or timestamp column`);
    const behind = decimalText(addDecimal(d, String(-lag)));
    return typeof mark === "number" && Number.isSafeInteger(Number(behind)) ? Number(behind) : behind;
  }
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(lag);
  const at = instantOf(mark);
  if (!m || at === undefined) {
    throw new EtlError("incremental-lag", `incremental \`lag: ${lag}\` is a duration, but the mark ${JSON.stringify(mark)} is not a date or timestamp; give a number such as \`lag: 100\` for a numeric column`);
  }
  const zoned = /(Z|[+-]\d\d(:?\d\d)?)$/i.test(String(mark).trim()) && String(mark).trim().length > 10;
  return instantText(at - BigInt(m[1] as string) * (LAG_MICROS[m[2] as string] as bigint), zoned);
}
