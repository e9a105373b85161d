/** The SQL of each load mode, run inside the load's single transaction. */
import type pg from "pg";
import type { ColumnType } from "../../pipeline/model";
import { sqlTypeOf } from "./columnTypes";
import { quoteIdent } from "./names";

const STAGE_TABLE = "_agent_etl_stage";

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
 * `=`, and floats (-0 = 0) and intervals (1 day = 24 hours) call values equal that read
 * differently — the merge must leave exactly the new record's values. numeric (1.0 = 1.00) is
 * compared by value and by scale, which is what tells 1.0 from 1.00 (and costs far less than text).
 */
const COMPARABLE = /^(text|character varying|character|bigint|integer|smallint|boolean|date|timestamp|jsonb|uuid|bytea)\b/;

/** `${a}.c IS DISTINCT FROM ${b}.c` for one column, with a text comparison where a type has no `=`. */
function differs(column: string, sqlType: string | undefined, a: string, b: string): string {
  const c = quoteIdent(column);
  if (sqlType === "numeric" || (sqlType?.startsWith("numeric(") ?? false)) return `(${a}.${c} IS DISTINCT FROM ${b}.${c} OR scale(${a}.${c}) IS DISTINCT FROM scale(${b}.${c}))`;
  const comparable = sqlType !== undefined && COMPARABLE.test(sqlType) && !sqlType.endsWith("[]");
  // Text compares byte for byte (a nondeterministic collation could call different texts equal).
  const as = !comparable ? '::text COLLATE "C"' : /^(text|character)/.test(sqlType) ? ' COLLATE "C"' : "";
  return `${a}.${c}${as} IS DISTINCT FROM ${b}.${c}${as}`;
}

const MERGE_ALIAS = quoteIdent("_agent_etl_target");
const SOURCE_ALIAS = quoteIdent("_agent_etl_source");

/** PostgreSQL 15 and later have MERGE. */
const MERGE_COMMAND_SINCE = 150000;

interface MergeSql {
  tableSql: string;
  stage: string;
  columns: readonly string[];
  key: readonly string[];
  types: ReadonlyMap<string, string>;
}

/**
 * MERGE joins the stage to the target once and touches only rows that are new or changed: no row
 * lock for an unchanged row (where ON CONFLICT … DO UPDATE … WHERE locks every conflicting row),
 * about half the time on a million records. It fails on a key repeated in the records (21000, or
 * 23505 when both are new) and on a row another session inserted meanwhile (23505).
 */
function mergeCommand({ tableSql, stage, columns, key, types }: MergeSql): string {
  const cols = columns.map(quoteIdent).join(", ");
  const others = columns.filter((c) => !key.includes(c));
  const on = key.map((k) => `${MERGE_ALIAS}.${quoteIdent(k)} = ${SOURCE_ALIAS}.${quoteIdent(k)}`).join(" AND ");
  const update =
    others.length > 0
      ? `WHEN MATCHED AND (${others.map((c) => differs(c, types.get(c), MERGE_ALIAS, SOURCE_ALIAS)).join(" OR ")}) THEN UPDATE SET ${others.map((c) => `${quoteIdent(c)} = ${SOURCE_ALIAS}.${quoteIdent(c)}`).join(", ")}`
      : "WHEN MATCHED THEN DO NOTHING";
  const values = columns.map((c) => `${SOURCE_ALIAS}.${quoteIdent(c)}`).join(", ");
  return `MERGE INTO ${tableSql} AS ${MERGE_ALIAS} USING ${stage} AS ${SOURCE_ALIAS} ON ${on} ${update} WHEN NOT MATCHED THEN INSERT (${cols}) VALUES (${values})`;
}

/**
 * INSERT … ON CONFLICT (key) DO UPDATE, only where a value changed: re-delivered unchanged rows
 * cost an index probe, not a new row version. `lastPerKey` reads the stage keeping the last record
 * of each key (staging rows are in arrival order, so `ctid` orders them).
 */
function onConflictCommand({ tableSql, stage, columns, key, types }: MergeSql, lastPerKey: boolean): string {
  const cols = columns.map(quoteIdent).join(", ");
  const keySql = key.map(quoteIdent).join(", ");
  const others = columns.filter((c) => !key.includes(c));
  const updates = others.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
  const changed = others.map((c) => differs(c, types.get(c), MERGE_ALIAS, "EXCLUDED")).join(" OR ");
  const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(", ")} WHERE ${changed}` : "DO NOTHING";
  const from = lastPerKey ? `(SELECT DISTINCT ON (${keySql}) * FROM ${stage} ORDER BY ${keySql}, ctid DESC) AS last_per_key` : stage;
  return `INSERT INTO ${tableSql} AS ${MERGE_ALIAS} (${cols}) SELECT ${cols} FROM ${from} ON CONFLICT (${keySql}) ${action}`;
}

/**
 * The join of the stage with the target hashes the target's keys: with the default work_mem (4 MB)
 * half a million keys spill to disk in batches, ~10% of the merge. For this transaction only, and
 * never lowering a larger setting of the server's.
 */
const MERGE_WORK_MEM = 64 * 1024 * 1024;
const RAISE_WORK_MEM = `SELECT set_config('work_mem', '${MERGE_WORK_MEM / 1024}kB', true) WHERE pg_size_bytes(current_setting('work_mem')) < ${MERGE_WORK_MEM}`;

/** Runs `sql` in a savepoint; true when it succeeded, false (rolled back) on one of `codes`. */
async function attempt(client: pg.Client, sql: string, codes: readonly string[]): Promise<boolean> {
  await client.query("SAVEPOINT agent_etl_merge");
  try {
    await client.query(sql);
    await client.query("RELEASE SAVEPOINT agent_etl_merge");
    return true;
  } catch (err: unknown) {
    if (!codes.includes((err as { code?: string }).code ?? "")) throw err;
    await client.query("ROLLBACK TO SAVEPOINT agent_etl_merge");
    return false;
  }
}

/**
 * Upserts the stage into the target on `key`, writing only rows that are new or whose values
 * changed; when the records repeat a key, the last record of each key wins. With MERGE (PostgreSQL
 * 15+) first; if the records repeat a key or another session inserted a key meanwhile, the same
 * upsert as INSERT … ON CONFLICT over the last record of each key. `types` are the target's column
 * SQL types.
 */
export async function mergeFromStage(
  client: pg.Client,
  tableSql: string,
  stage: string,
  columns: readonly string[],
  key: readonly string[],
  types: ReadonlyMap<string, string> = new Map(),
  serverVersion = 0,
): Promise<void> {
  const sql: MergeSql = { tableSql, stage, columns, key, types };
  await client.query(RAISE_WORK_MEM);
  // 21000: a target row affected twice (a repeated key); 23505: a key inserted twice.
  if (serverVersion >= MERGE_COMMAND_SINCE && (await attempt(client, mergeCommand(sql), ["21000", "23505"]))) return;
  if (serverVersion < MERGE_COMMAND_SINCE && (await attempt(client, onConflictCommand(sql, false), ["21000"]))) return;
  await client.query(onConflictCommand(sql, true));
}
