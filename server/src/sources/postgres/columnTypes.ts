/**
 * Our column types ↔ PostgreSQL: catalog type OIDs to `ColumnType` (extract), `ColumnType` to SQL
 * types for tables we create (load).
 */
import type { ColumnType } from "../../pipeline/model";
import { SQL_TYPES } from "../../pipeline/schemaDrift";

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
