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

const WIDE_DECIMAL = /^DECIMAL\((\d+),\s*(\d+)\)$/i;

/**
 * SQL casting the text `expr` to `sqlType`. DuckDB (1.x) parses text into a DECIMAL of more than
 * 18 digits some 80 times slower than into one of 18 (a 128-bit path; 12 s for a million values):
 * a value that fits 18 digits at the same scale takes the narrow cast, rounded alike, and any
 * other value the wide one, which still fails on text that is no number.
 */
export function castText(expr: string, sqlType: string): string {
  const wide = WIDE_DECIMAL.exec(sqlType);
  const [precision, scale] = wide ? [Number(wide[1]), Number(wide[2])] : [0, 0];
  if (precision <= 18 || scale > 18) return `CAST(${expr} AS ${sqlType})`;
  return `coalesce(CAST(TRY_CAST(${expr} AS DECIMAL(18, ${scale})) AS ${sqlType}), CAST(${expr} AS ${sqlType}))`;
}
