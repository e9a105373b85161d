/** The SQL of each load mode, run inside the load's single transaction. */
import type pg from "pg";
import type { ColumnType } from "../../pipeline/model";
import { sqlTypeOf } from "./columnTypes";
import { quoteIdent } from "./names";

export const STAGE_TABLE = "_agent_etl_stage";

/** CREATE TABLE from record column types; a merge target gets its key as primary key. */
export async function createTable(client: pg.Client, tableSql: string, types: ReadonlyMap<string, ColumnType>, key?: readonly string[]): Promise<void> {
  const cols = [...types].map(([name, type]) => `${quoteIdent(name)} ${sqlTypeOf(type)}`);
  if (key && key.length > 0) cols.push(`PRIMARY KEY (${key.map(quoteIdent).join(", ")})`);
  await client.query(`CREATE TABLE ${tableSql} (${cols.join(", ")})`);
}

/** A temp table with the target's types for these columns, dropped at COMMIT. */
export async function createStage(client: pg.Client, tableSql: string, columns: readonly string[]): Promise<string> {
  const stage = quoteIdent(STAGE_TABLE);
  await client.query(`DROP TABLE IF EXISTS pg_temp.${stage}`);
  await client.query(`CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${columns.map(quoteIdent).join(", ")} FROM ${tableSql} WITH NO DATA`);
  return stage;
}

/** Empties the target: TRUNCATE when it can (fast), DELETE when foreign keys forbid TRUNCATE. */
async function clearTable(client: pg.Client, tableSql: string): Promise<void> {
  await client.query("SAVEPOINT agent_etl_clear");
  try {
    await client.query(`TRUNCATE ${tableSql}`);
    await client.query("RELEASE SAVEPOINT agent_etl_clear");
  } catch (err: unknown) {
    if ((err as { code?: string }).code !== "0A000") throw err;
    await client.query("ROLLBACK TO SAVEPOINT agent_etl_clear");
    await client.query(`DELETE FROM ${tableSql}`);
  }
}

export async function replaceFromStage(client: pg.Client, tableSql: string, stage: string, columns: readonly string[]): Promise<void> {
  await clearTable(client, tableSql);
  if (columns.length === 0) return;
  const cols = columns.map(quoteIdent).join(", ");
  await client.query(`INSERT INTO ${tableSql} (${cols}) SELECT ${cols} FROM ${stage}`);
}

/**
 * INSERT … ON CONFLICT (key) DO UPDATE. When the records repeat a key, the last record of each key
 * wins (staging rows are in arrival order, so `ctid` orders them).
 */
export async function mergeFromStage(client: pg.Client, tableSql: string, stage: string, columns: readonly string[], key: readonly string[]): Promise<void> {
  const cols = columns.map(quoteIdent).join(", ");
  const keySql = key.map(quoteIdent).join(", ");
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
  const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(", ")}` : "DO NOTHING";
  await client.query("SAVEPOINT agent_etl_merge");
  try {
    await client.query(`INSERT INTO ${tableSql} (${cols}) SELECT ${cols} FROM ${stage} ON CONFLICT (${keySql}) ${action}`);
    await client.query("RELEASE SAVEPOINT agent_etl_merge");
  } catch (err: unknown) {
    // 21000: "ON CONFLICT DO UPDATE command cannot affect row a second time" — a repeated key.
    if ((err as { code?: string }).code !== "21000") throw err;
    await client.query("ROLLBACK TO SAVEPOINT agent_etl_merge");
    await client.query(
      `INSERT INTO ${tableSql} (${cols}) SELECT ${cols} FROM (SELECT DISTINCT ON (${keySql}) * FROM ${stage} ORDER BY ${keySql}, ctid DESC) AS last_per_key ON CONFLICT (${keySql}) ${action}`,
    );
  }
}
