/**
 * Our column types ↔ PostgreSQL: catalog type OIDs to `ColumnType` (extract), `ColumnType` to SQL
 * types for tables we create (load), and types inferred from record values when none are given.
 */
import type { ColumnType } from "../../pipeline/model";
import { ownValue } from "../../pipeline/ownKeys";
import { SQL_TYPES } from "../../pipeline/schemaDrift";
import type { DataRecord } from "../types";

const BY_OID: Record<number, ColumnType> = {
  16: "boolean",
  20: "integer",
  21: "integer",
  23: "integer",
  26: "integer",
  700: "number",
  701: "number",
  1700: "decimal",
  1082: "date",
  1114: "timestamp",
  1184: "timestamp",
  114: "json",
  3802: "json",
};
/** Array types come back as JSON arrays. */
const ARRAY_OIDS = new Set([199, 1000, 1005, 1007, 1009, 1015, 1016, 1021, 1022, 1115, 1182, 1185, 1231, 3807]);

export function columnTypeOfOid(oid: number): ColumnType {
  return BY_OID[oid] ?? (ARRAY_OIDS.has(oid) ? "json" : "string");
}

export function sqlTypeOf(type: ColumnType): string {
  return SQL_TYPES[type];
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function valueType(value: unknown): ColumnType | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "boolean") return "boolean";
  // An exact integer beyond a double's: bigint while PostgreSQL's bigint holds it, else numeric.
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
