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
 * Types whose `=` means "the same stored value". Others are compared as text: json and xml have no
 * `=`, and numeric (1.0 = 1.00), floats (-0 = 0) and intervals (1 day = 24 hours) call values
 * equal that read differently — the merge must leave exactly the new record's values.
 */
const COMPARABLE = /^(text|character varying|character|bigint|integer|smallint|boolean|date|timestamp|jsonb|uuid|bytea)\b/;

/** `target.c IS DISTINCT FROM EXCLUDED.c` for one column, with a text comparison where a type has no `=`. */
function differs(column: string, sqlType: string | undefined): string {
  const c = quoteIdent(column);
  const comparable = sqlType !== undefined && COMPARABLE.test(sqlType) && !sqlType.endsWith("[]");
  // Text compares byte for byte (a nondeterministic collation could call different texts equal).
  const as = !comparable ? '::text COLLATE "C"' : /^(text|character)/.test(sqlType) ? ' COLLATE "C"' : "";
  return `${MERGE_ALIAS}.${c}${as} IS DISTINCT FROM EXCLUDED.${c}${as}`;
}

const MERGE_ALIAS = quoteIdent("_agent_etl_target");

/**
 * INSERT … ON CONFLICT (key) DO UPDATE, only where a value changed: re-delivered unchanged rows
 * cost an index probe, not a new row version (a new tuple, index entries and WAL each). When the
 * records repeat a key, the last record of each key wins (staging rows are in arrival order, so
 * `ctid` orders them). `types` are the target's column SQL types.
 */
export async function mergeFromStage(client: pg.Client, tableSql: string, stage: string, columns: readonly string[], key: readonly string[], types: ReadonlyMap<string, string> = new Map()): Promise<void> {
  const cols = columns.map(quoteIdent).join(", ");
  const keySql = key.map(quoteIdent).join(", ");
  const others = columns.filter((c) => !key.includes(c));
  const updates = others.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
  const changed = others.map((c) => differs(c, types.get(c))).join(" OR ");
  const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(", ")} WHERE ${changed}` : "DO NOTHING";
  const into = `INSERT INTO ${tableSql} AS ${MERGE_ALIAS} (${cols})`;
  await client.query("SAVEPOINT agent_etl_merge");
  try {
    await client.query(`${into} SELECT ${cols} FROM ${stage} ON CONFLICT (${keySql}) ${action}`);
    await client.query("RELEASE SAVEPOINT agent_etl_merge");
  } catch (err: unknown) {
    // 21000: "ON CONFLICT DO UPDATE command cannot affect row a second time" — a repeated key.
    if ((err as { code?: string }).code !== "21000") throw err;
    await client.query("ROLLBACK TO SAVEPOINT agent_etl_merge");
    await client.query(`${into} SELECT ${cols} FROM (SELECT DISTINCT ON (${keySql}) * FROM ${stage} ORDER BY ${keySql}, ctid DESC) AS last_per_key ON CONFLICT (${keySql}) ${action}`);
  }
}
