/** Our column types ↔ DuckDB's: result types to `ColumnType` (extract, analysis), and SQL types for tables a load creates. */
import type { ColumnType } from "../../pipeline/model";

/** The column type of a DuckDB SQL type as DuckDB prints it (`DECIMAL(10,2)`, `INTEGER[]`, `STRUCT(…)`). */
export function columnTypeOf(sqlType: string): ColumnType {
  const t = sqlType.toUpperCase();
  if (t.endsWith("]") || /^(STRUCT|MAP|UNION|JSON)\b/.test(t)) return "json";
  if (t === "BOOLEAN") return "boolean";
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(t)) return "integer";
  if (t === "FLOAT" || t === "DOUBLE") return "number";
  if (t.startsWith("DECIMAL")) return "decimal";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "timestamp";
  return "string";
}

const SQL_TYPES: Record<ColumnType, string> = {
  string: "VARCHAR",
  integer: "BIGINT",
  number: "DOUBLE",
  // DuckDB's widest exact decimal; PostgreSQL's numeric has no fixed scale, DuckDB's must.
  decimal: "DECIMAL(38, 10)",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMPTZ",
  json: "JSON",
};

export function sqlTypeOf(type: ColumnType): string {
  return SQL_TYPES[type];
}
