/** What the load needs to know about a target table, read from the catalogs in one round trip each. */
import type pg from "pg";
import type { TargetColumn } from "../../pipeline/schemaDrift";
import { qualified, type TableName } from "./names";

export interface TableInfo {
  oid: number;
  /** Column name → SQL type (`format_type`), in table order. */
  columns: Map<string, string>;
  /** Each column with what schema drift needs to know of it, in table order. */
  details: TargetColumn[];
}

export async function describeTable(client: pg.Client, table: TableName): Promise<TableInfo | undefined> {
  const found = await client.query<{ oid: number | null }>("SELECT to_regclass($1)::oid AS oid", [qualified(table)]);
  const oid = found.rows[0]?.oid;
  if (oid === null || oid === undefined) return undefined;
  const cols = await client.query<{ name: string; type: string; notnull: boolean; filled: boolean }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS notnull, (atthasdef OR attidentity <> '' OR attgenerated <> '') AS filled
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [oid],
  );
  const details = cols.rows.map((r) => ({ name: r.name, sqlType: r.type, required: r.notnull && !r.filled, filled: r.filled }));
  return { oid: Number(oid), columns: new Map(cols.rows.map((r) => [r.name, r.type])), details };
}

/** Whether a unique index (or primary key) covers exactly these columns, as ON CONFLICT needs. */
export async function hasUniqueIndexOn(client: pg.Client, oid: number, key: readonly string[]): Promise<boolean> {
  const res = await client.query<{ cols: string[] }>(
    `SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid`,
    [oid],
  );
  const wanted = [...new Set(key)].sort().join("\u0000");
  return res.rows.some((r) => [...r.cols].sort().join("\u0000") === wanted);
}
