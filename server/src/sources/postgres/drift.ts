/**
 * `on_schema_change` of a load into an existing table: compares the records' columns (the sample's
 * and the declared types) with the table's, then fails (`fail`), changes the table inside the
 * load's transaction (`evolve`), or leaves the table's columns only (`ignore`).
 */
import type pg from "pg";
import type { ColumnType } from "../../pipeline/model";
import { ownValue } from "../../pipeline/ownKeys";
import { compareColumns, describeDrift, hasDrift, reconcilingDdl, unsafe, type Drift, type IncomingColumn, type SchemaChangePolicy } from "../../pipeline/schemaDrift";
import { ConnectorError } from "../../errors";
import type { DataRecord } from "../types";
import type { TableInfo } from "./catalog";
import { quoteIdent } from "./names";

/** What the load does after the comparison. */
export interface SchemaOutcome {
  /** The columns the COPY sends. */
  columns: string[];
  /** Record columns left out (`ignore`). */
  ignored: ReadonlySet<string>;
  /** What changed, one line each (the DDL run, the columns left out or loading NULL), for the summary and events. */
  changes: string[];
}

function absInteger(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value < 0n ? -value : value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(Math.abs(value));
  return undefined;
}

/** The records' columns with what the sample shows of their values (largest integer, longest text). */
export function incomingColumns(types: ReadonlyMap<string, ColumnType>, given: Record<string, ColumnType> | undefined, sample: readonly DataRecord[]): IncomingColumn[] {
  return [...types].map(([name, type]) => {
    let maxInteger: bigint | undefined;
    let maxLength: number | undefined;
    for (const record of sample) {
      const value = ownValue(record, name);
      const n = absInteger(value);
      if (n !== undefined && (maxInteger === undefined || n > maxInteger)) maxInteger = n;
      // varchar(n) counts characters, not UTF-16 units.
      if (typeof value === "string" && value.length > (maxLength ?? 0)) maxLength = Math.max(maxLength ?? 0, [...value].length);
    }
    const declared = (given !== undefined && ownValue(given, name) !== undefined) || type !== "string";
    return { name, type, declared, ...(maxInteger !== undefined ? { maxInteger } : {}), ...(maxLength !== undefined ? { maxLength } : {}) };
  });
}

const POLICY_HINT = "set `on_schema_change: evolve` on the load to make these changes inside the load, or `on_schema_change: ignore` to load only the table's columns";

function failMessage(table: string, tableSql: string, drift: Drift, info: TableInfo): string {
  const added = drift.added.length > 0 ? `table ${table} has no column ${drift.added.map((c) => JSON.stringify(c.name)).join(", ")}; ` : "";
  const ddl = reconcilingDdl(tableSql, drift, quoteIdent);
  const run = ddl.length > 0 ? `To change the table, run: ${ddl.join("; ")}; or ${POLICY_HINT}` : `To load them, ${POLICY_HINT}`;
  return (
    `${added}the records do not match table ${table} (on_schema_change: fail, so the table is unchanged): ${describeDrift(drift).join("; ")}. ` +
    `${run}; or drop/rename columns with a transform (the table has ${[...info.columns.keys()].join(", ")})`
  );
}

/** `evolve` cannot make every change: the retypings no widening holds, and NOT NULL columns the records lack. */
function evolveRefusal(table: string, tableSql: string, drift: Drift): ConnectorError | undefined {
  const bad: Drift = { added: [], missing: drift.missing.filter((c) => c.required), retyped: unsafe(drift) };
  if (!hasDrift(bad)) return undefined;
  return new ConnectorError(
    "postgres-schema-drift",
    `on_schema_change: evolve adds columns and widens types only where it is safe (integer → bigint → numeric, varchar(n) → text), and lets only nullable columns load NULL; ` +
      `table ${table} is unchanged: ${describeDrift(bad).join("; ")}. Change the table yourself (${reconcilingDdl(tableSql, bad, quoteIdent).join("; ")}), or cast/derive the columns in a transform`,
  );
}

/**
 * Compares, and for `evolve` changes the table (inside the caller's transaction, so a failed load
 * undoes it). `types` are the records' columns in order; `sample` the records read ahead.
 */
export async function reconcileSchema(
  client: pg.Client,
  target: { tableSql: string; name: string; info: TableInfo },
  policy: SchemaChangePolicy,
  incoming: readonly IncomingColumn[],
): Promise<SchemaOutcome> {
  const { tableSql, name, info } = target;
  const drift = compareColumns(incoming, info.details);
  const columns = incoming.map((c) => c.name);
  if (!hasDrift(drift)) return { columns, ignored: new Set(), changes: [] };
  if (policy === "fail") throw new ConnectorError("postgres-schema-drift", failMessage(name, tableSql, drift, info));
  if (policy === "ignore") {
    const ignored = new Set(drift.added.map((c) => c.name));
    const changes = drift.added.map((c) => `column ${JSON.stringify(c.name)} not loaded: table ${name} has no such column`);
    return { columns: columns.filter((c) => !ignored.has(c)), ignored, changes };
  }
  const refusal = evolveRefusal(name, tableSql, drift);
  if (refusal) throw refusal;
  const ddl = reconcilingDdl(tableSql, drift, quoteIdent);
  for (const statement of ddl) await client.query(statement);
  const nulls = drift.missing.map((c) => `column ${JSON.stringify(c.name)} is not in the records: it loads NULL`);
  return { columns, ignored: new Set(), changes: [...ddl, ...nulls] };
}
