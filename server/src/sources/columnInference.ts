/**
 * Column types inferred from record values, for a load that creates its table and was given no
 * types (any database connector's).
 */
import type { ColumnType } from "../pipeline/model";
import { ownValue } from "../pipeline/ownKeys";
import type { DataRecord } from "./types";

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function valueType(value: unknown): ColumnType | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "boolean") return "boolean";
  // An exact integer beyond a double's: integer while a 64-bit integer column holds it, else decimal.
  if (typeof value === "bigint") return value >= INT8_MIN && value <= INT8_MAX ? "integer" : "decimal";
  if (typeof value === "number") return Number.isSafeInteger(value) ? "integer" : "number";
  if (value instanceof Date) return "timestamp";
  if (typeof value === "object") return "json";
  return "string";
}

function widen(a: ColumnType | undefined, b: ColumnType | undefined): ColumnType | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  if ((a === "integer" && b === "number") || (a === "number" && b === "integer")) return "number";
  if ((a === "integer" && b === "decimal") || (a === "decimal" && b === "integer")) return "decimal";
  return "string";
}

/** The columns of a sample, in order of first appearance, with types (given ones win). */
export function inferColumns(sample: readonly DataRecord[], given: Record<string, ColumnType> = {}): Map<string, ColumnType> {
  const seen = new Map<string, ColumnType | undefined>();
  for (const record of sample) {
    for (const [key, value] of Object.entries(record)) {
      const current = seen.get(key);
      seen.set(key, ownValue(given, key) ?? widen(current, valueType(value)));
    }
  }
  for (const [key, type] of Object.entries(given)) if (!seen.has(key) && sample.length === 0) seen.set(key, type);
  const out = new Map<string, ColumnType>();
  for (const [key, type] of seen) out.set(key, ownValue(given, key) ?? type ?? "string");
  return out;
}
