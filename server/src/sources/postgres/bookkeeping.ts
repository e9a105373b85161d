/**
 * Idempotent loads. Every committed load writes one row `(run_id, step_id)` into
 * `_agent_etl_loads` (in the target's schema) in the SAME transaction as the data. A retried or
 * resumed load of the same run and step finds the row and does nothing, so an `append` whose
 * COMMIT succeeded but whose acknowledgement was lost is never applied twice. A load killed
 * before COMMIT leaves neither the data nor the row.
 */
import type pg from "pg";
import { quoteIdent, type TableName } from "./names";

export const LOADS_TABLE = "_agent_etl_loads";

function loadsTable(target: TableName): string {
  return target.schema === undefined ? quoteIdent(LOADS_TABLE) : `${quoteIdent(target.schema)}.${quoteIdent(LOADS_TABLE)}`;
}

/** Creates the bookkeeping table if needed (outside the load's transaction; harmless if raced). */
export async function ensureLoadsTable(client: pg.Client, target: TableName): Promise<void> {
  const sql = `CREATE TABLE IF NOT EXISTS ${loadsTable(target)} (
    run_id text NOT NULL, step_id text NOT NULL, target text NOT NULL, mode text NOT NULL,
    rows bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run_id, step_id))`;
  try {
    await client.query(sql);
  } catch (err: unknown) {
    const code = (err as { code?: string }).code;
    if (code !== "23505" && code !== "42P07") throw err; // concurrent creation by another load
  }
}

/** A load this run and step already committed, as its bookkeeping row records it. */
export interface PreviousLoad {
  rows: number;
  /** When it committed (ISO 8601). */
  loadedAt: string;
  /** The table it loaded, as named then (the step's `table` may have changed since). */
  target: string;
}

export async function previousLoad(client: pg.Client, target: TableName, runId: string, stepId: string): Promise<PreviousLoad | undefined> {
  const res = await client.query<{ rows: string; loaded_at: string; target: string }>(`SELECT rows, loaded_at, target FROM ${loadsTable(target)} WHERE run_id = $1 AND step_id = $2`, [runId, stepId]);
  const row = res.rows[0];
  return row === undefined ? undefined : { rows: Number(row.rows), loadedAt: row.loaded_at, target: row.target };
}

export async function recordLoad(client: pg.Client, target: TableName, entry: { runId: string; stepId: string; targetName: string; mode: string; rows: number }): Promise<void> {
  // clock_timestamp(): the row is written just before COMMIT; now() would be the load's start.
  await client.query(`INSERT INTO ${loadsTable(target)} (run_id, step_id, target, mode, rows, loaded_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())`, [
    entry.runId,
    entry.stepId,
    entry.targetName,
    entry.mode,
    entry.rows,
  ]);
}
