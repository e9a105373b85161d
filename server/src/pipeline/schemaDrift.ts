/**
 * Schema drift (`on_schema_change` on postgres loads): how the columns a load brings differ from
 * its target table's. Pure: the load reads the catalog and the records, the editor's `schema-drift`
 * rule reads live analysis, and both ask this module what differs and which changes are safe.
 */
import type { ColumnType } from "./model";

export type { SchemaChangePolicy } from "./model";

/** A column of the records. */
export interface IncomingColumn {
  name: string;
  type: ColumnType;
  /**
   * The type is known (a `cast`, a typed source, or values that are not text). Text inferred from
   * untyped values (a CSV) is not a type: PostgreSQL parses it into any column type.
   */
  declared: boolean;
  /** Largest absolute integer seen, when known: says whether an `integer` column still holds them. */
  maxInteger?: bigint;
  /** Longest text seen, in characters, when known: says whether a `varchar(n)` still holds them. */
  maxLength?: number;
}

/** A column of the target table. */
export interface TargetColumn {
  name: string;
  /** SQL type as `format_type` spells it (`integer`, `character varying(20)`, `numeric(12,2)`). */
  sqlType: string;
  /** NOT NULL with no default: the table cannot fill it when the records lack it. */
  required: boolean;
  /** The table fills it itself (a default, identity or generated column): never missing. */
  filled: boolean;
}

export interface Retyped {
  column: string;
  /** The table's SQL type. */
  from: string;
  /** The records' type. */
  to: ColumnType;
  /** The safe widening that holds both (`bigint`, `numeric`, `text`), if there is one. */
  widenTo?: string;
}

export interface Drift {
  added: IncomingColumn[];
  missing: TargetColumn[];
  retyped: Retyped[];
}

/** Our column types as the SQL types of tables we create (sources/postgres/columnTypes.ts agrees). */
export const SQL_TYPES: Record<ColumnType, string> = {
  string: "text",
  integer: "bigint",
  number: "double precision",
  decimal: "numeric",
  boolean: "boolean",
  date: "date",
  // Timestamps may carry offsets; timestamptz keeps the instant right either way.
  timestamp: "timestamptz",
  json: "jsonb",
};

type Family = "text" | "integer" | "numeric" | "float" | "boolean" | "date" | "timestamp" | "json" | "other";

function familyOf(sqlType: string): Family {
  if (sqlType.endsWith("]")) return "other";
  if (/^(text|character varying|character|varchar|char|bpchar|name|citext)\b/.test(sqlType)) return "text";
  if (/^(smallint|integer|bigint|int2|int4|int8)$/.test(sqlType)) return "integer";
  if (/^numeric\b/.test(sqlType)) return "numeric";
  if (/^(double precision|real|float4|float8)$/.test(sqlType)) return "float";
  if (sqlType === "boolean") return "boolean";
  if (sqlType === "date") return "date";
  if (/^timestamp\b/.test(sqlType) || sqlType === "timestamptz") return "timestamp";
  if (sqlType === "json" || sqlType === "jsonb") return "json";
  return "other";
}

/** Which record types each family of column takes as they are (untyped text is taken by all). */
const TAKES: Record<Family, readonly ColumnType[] | "all"> = {
  text: "all",
  json: "all",
  other: "all",
  integer: ["integer"],
  numeric: ["integer", "decimal", "number"],
  float: ["integer", "decimal", "number"],
  boolean: ["boolean"],
  date: ["date"],
  timestamp: ["timestamp", "date"],
};

const INT_LIMITS: Record<string, bigint> = { smallint: 2n ** 15n - 1n, int2: 2n ** 15n - 1n, integer: 2n ** 31n - 1n, int4: 2n ** 31n - 1n };
const INT8_LIMIT = 2n ** 63n - 1n;

/** The safe widening of a column of `family` (integer → bigint → numeric, varchar(n) → text) that holds `column`; undefined when none does. */
function widening(column: IncomingColumn, family: Family): string | undefined {
  if (family === "text") return "text";
  if (family !== "integer") return undefined;
  if (column.type === "integer") return column.maxInteger !== undefined && column.maxInteger > INT8_LIMIT ? "numeric" : "bigint";
  return column.type === "decimal" || column.type === "number" ? "numeric" : undefined;
}

/** Whether `target` holds `column`'s values as it is; when not, the retyping (with its safe widening, if any). */
function retypingOf(target: TargetColumn, column: IncomingColumn): Retyped | undefined {
  const family = familyOf(target.sqlType);
  const retyped = (): Retyped => {
    const widenTo = widening(column, family);
    return { column: column.name, from: target.sqlType, to: column.type, ...(widenTo !== undefined ? { widenTo } : {}) };
  };
  if (family === "text") {
    const limit = /\((\d+)\)$/.exec(target.sqlType)?.[1];
    return limit !== undefined && column.maxLength !== undefined && column.maxLength > Number(limit) ? retyped() : undefined;
  }
  const takes = TAKES[family];
  if (takes === "all") return undefined;
  if (column.type === "string" && !column.declared) return undefined;
  if (!takes.includes(column.type)) return retyped();
  const limit = INT_LIMITS[target.sqlType];
  if (family === "integer" && limit !== undefined && column.maxInteger !== undefined && column.maxInteger > limit) return retyped();
  return undefined;
}

/** What differs between the records' columns and the table's; empty lists when nothing does. */
export function compareColumns(incoming: readonly IncomingColumn[], table: readonly TargetColumn[]): Drift {
  const byName = new Map(table.map((c) => [c.name, c]));
  const names = new Set(incoming.map((c) => c.name));
  const drift: Drift = { added: [], missing: [], retyped: [] };
  for (const column of incoming) {
    const target = byName.get(column.name);
    if (!target) drift.added.push(column);
    else {
      const r = retypingOf(target, column);
      if (r) drift.retyped.push(r);
    }
  }
  drift.missing = table.filter((c) => !names.has(c.name) && !c.filled);
  return drift;
}

export function hasDrift(drift: Drift): boolean {
  return drift.added.length + drift.missing.length + drift.retyped.length > 0;
}

/** A retyping `evolve` cannot do: no safe widening holds both types. */
export function unsafe(drift: Drift): Retyped[] {
  return drift.retyped.filter((r) => r.widenTo === undefined);
}

/**
 * The statements that make the table take the records, one per change, in the order of the
 * drift's lists. `quote` quotes an identifier; `tableSql` is the quoted table. A missing nullable
 * column needs none (it loads NULL); a required one loses its NOT NULL. An unsafe retyping is
 * written with the `USING` cast it needs, for people to judge, never run by `evolve`.
 */
export function reconcilingDdl(tableSql: string, drift: Drift, quote: (name: string) => string): string[] {
  const alter = `ALTER TABLE ${tableSql}`;
  return [
    ...drift.added.map((c) => `${alter} ADD COLUMN ${quote(c.name)} ${SQL_TYPES[c.type]}`),
    ...drift.retyped.map((r) => {
      const type = r.widenTo ?? SQL_TYPES[r.to];
      return `${alter} ALTER COLUMN ${quote(r.column)} TYPE ${type}${r.widenTo === undefined ? ` USING ${quote(r.column)}::${type}` : ""}`;
    }),
    ...drift.missing.filter((c) => c.required).map((c) => `${alter} ALTER COLUMN ${quote(c.name)} DROP NOT NULL`),
  ];
}

/** One phrase per difference, for messages: `new column "email" (string)`. */
export function describeDrift(drift: Drift): string[] {
  return [
    ...drift.added.map((c) => `new column ${JSON.stringify(c.name)} (${c.type}) that the table lacks`),
    ...drift.missing.map((c) => `column ${JSON.stringify(c.name)} of the table is missing from the records (${c.required ? "NOT NULL, so it cannot load NULL" : "it would load NULL"})`),
    ...drift.retyped.map((r) => `column ${JSON.stringify(r.column)} is ${r.from} in the table but ${r.to} in the records${r.widenTo !== undefined ? ` (widening to ${r.widenTo} holds both)` : " (no safe widening holds both)"}`),
  ];
}
