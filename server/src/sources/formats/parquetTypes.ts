/**
 * What a Parquet file's schema means in our column types (`ColumnType`), for reading, analysis and
 * generation: a top-level column's type comes from its physical type and its annotation (logical
 * or converted type); a nested column (a list, a map, a struct) is `json`.
 */
import type { FileMetaData, SchemaElement, SchemaTree } from "hyparquet";
import { parquetSchema } from "hyparquet";
import type { ColumnType } from "../../pipeline/model";

/** A top-level column of a Parquet file: its name, our type, and the Parquet type as people write it. */
export interface ParquetColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** E.g. `INT64`, `DECIMAL(10,2)`, `TIMESTAMP(MICROS, UTC)`, `LIST`. */
  parquetType: string;
}

/** Precision and scale of a DECIMAL column, from its logical type or (older writers) its converted type. */
export function decimalOf(element: SchemaElement): { precision: number; scale: number } | undefined {
  const logical = element.logical_type;
  if (logical?.type === "DECIMAL") return { precision: logical.precision, scale: logical.scale };
  if (element.converted_type === "DECIMAL") return { precision: element.precision ?? 38, scale: element.scale ?? 0 };
  return undefined;
}

function isTimestamp(element: SchemaElement): boolean {
  const c = element.converted_type;
  return element.logical_type?.type === "TIMESTAMP" || c === "TIMESTAMP_MILLIS" || c === "TIMESTAMP_MICROS" || element.type === "INT96";
}

function isString(element: SchemaElement): boolean {
  const logical = element.logical_type?.type;
  return element.type === "BYTE_ARRAY" || logical === "STRING" || logical === "ENUM" || logical === "UUID" || element.type === "FIXED_LEN_BYTE_ARRAY";
}

/** Our type for a leaf column. */
function leafType(element: SchemaElement): ColumnType {
  if (decimalOf(element)) return "decimal";
  if (element.logical_type?.type === "DATE" || element.converted_type === "DATE") return "date";
  if (isTimestamp(element)) return "timestamp";
  if (element.logical_type?.type === "JSON" || element.converted_type === "JSON") return "json";
  switch (element.type) {
    case "BOOLEAN":
      return "boolean";
    case "INT32":
    case "INT64":
      return "integer";
    case "FLOAT":
    case "DOUBLE":
      return "number";
    default:
      return isString(element) ? "string" : "json";
  }
}

/** The Parquet type as a reader would name it in a listing. */
function describe(node: SchemaTree): string {
  const element = node.element;
  if (node.children.length > 0) return element.logical_type?.type ?? element.converted_type ?? "STRUCT";
  const decimal = decimalOf(element);
  if (decimal) return `DECIMAL(${decimal.precision},${decimal.scale})`;
  const logical = element.logical_type;
  if (logical?.type === "TIMESTAMP") return `TIMESTAMP(${logical.unit}${logical.isAdjustedToUTC ? ", UTC" : ""})`;
  if (logical?.type === "INTEGER") return `${logical.isSigned ? "INT" : "UINT"}${logical.bitWidth}`;
  return logical?.type ?? element.converted_type ?? element.type ?? "?";
}

/** The file's top-level columns, in schema order. */
export function parquetColumns(metadata: FileMetaData): ParquetColumn[] {
  return parquetSchema(metadata).children.map((node) => ({
    name: node.element.name,
    type: node.children.length > 0 ? "json" : leafType(node.element),
    nullable: node.element.repetition_type !== "REQUIRED",
    parquetType: describe(node),
  }));
}


/** Adds a file's column types to an extract's (`ExtractResult.columns`); a column an earlier file typed keeps its type. */
export function addColumns(result: { columns?: Record<string, ColumnType> }, columns: readonly ParquetColumn[]): void {
  const known = (result.columns ??= {});
  for (const c of columns) if (!Object.hasOwn(known, c.name)) known[c.name] = c.type;
}

/** The columns as analysis lists them: the Parquet type where PostgreSQL's would be. */
export function parquetColumnInfo(metadata: FileMetaData): { name: string; type: ColumnType; nullable: boolean; sqlType: string }[] {
  return parquetColumns(metadata).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, sqlType: c.parquetType }));
}
