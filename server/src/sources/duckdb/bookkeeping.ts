/**
 * Idempotent loads, as for PostgreSQL (postgres/bookkeeping.ts): every committed load writes one
 * row `(run_id, step_id)` into `_agent_etl_loads` (in the target's schema) in the same transaction
 * as the data, so a retried or resumed load of the same run and step does nothing.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, type TableName } from "./names";

export const LOADS_TABLE = "_agent_etl_loads";

function loadsTable(target: TableName): string {
  return target.schema === undefined ? quoteIdent(LOADS_TABLE) : `${quoteIdent(target.schema)}.${quoteIdent(LOADS_TABLE)}`;
}

export async function ensureLoadsTable(connection: DuckDBConnection, target: TableName): Promise<void> {
  await connection.run(`CREATE TABLE IF NOT EXISTS ${loadsTable(target)} (
    run_id VARCHAR NOT NULL, step_id VARCHAR NOT NULL, target VARCHAR NOT NULL, mode VARCHAR NOT NULL,
    rows BIGINT NOT NULL, loaded_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (run_id, step_id))`);
}

/** A load this run and step already committed. */
export interface PreviousLoad {
  rows: number;
  loadedAt: string;
  target: string;
}

export async function previousLoad(connection: DuckDBConnection, target: TableName, runId: string, stepId: string): Promise<PreviousLoad | undefined> {
  const reader = await connection.runAndReadAll(`SELECT rows, CAST(loaded_at AS VARCHAR) AS loaded_at, target FROM ${loadsTable(target)} WHERE run_id = $1 AND step_id = $2`, [runId, stepId]);
  const row = reader.getRowObjectsJson()[0];
  return row === undefined ? undefined : { rows: Number(row["rows"]), loadedAt: String(row["loaded_at"]), target: String(row["target"]) };
}

export async function recordLoad(connection: DuckDBConnection, target: TableName, entry: { runId: string; stepId: string; targetName: string; mode: string; rows: number }): Promise<void> {
  await connection.run(`INSERT INTO ${loadsTable(target)} VALUES ($1, $2, $3, $4, $5, now())`, [entry.runId, entry.stepId, entry.targetName, entry.mode, entry.rows]);
}
