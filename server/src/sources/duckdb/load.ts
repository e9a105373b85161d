/**
 * DuckDB loads, all-or-nothing: one transaction holds the stage (stage.ts), the mode's statement,
 * the table's creation when `create` is true, and the `_agent_etl_loads` bookkeeping row that makes
 * a retried or resumed load of the same (run_id, step_id) a no-op (with a warning). A failure or a
 * kill before COMMIT leaves the target exactly as it was (DuckDB writes its log only at COMMIT).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { ConnectorError, EtlError } from "../../errors";
import { formatCount } from "../../format/numbers";
import type { ColumnType } from "../../pipeline/model";
import { inferColumns } from "../columnInference";
import type { LoadRequest, LoadResult } from "../types";
import { ensureLoadsTable, previousLoad, recordLoad } from "./bookkeeping";
import { castText, sqlTypeOf } from "./columnTypes";
import { connectTo, databasePath, messageOf } from "./engine";
import { displayName, parseTableName, qualified, quoteIdent, type TableName } from "./names";
import { createStage, sampleRecords, STAGE, type StageFile, withStageFile } from "./stage";

export async function loadDuckdb(request: LoadRequest): Promise<LoadResult> {
  const target = parseTableName(request.load.table);
  const name = displayName(target);
  const connection = await connectTo(databasePath(request.connection, request.baseDir));
  const onAbort = () => connection.interrupt();
  request.signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await loadWith(connection, request, target);
  } catch (err: unknown) {
    await connection.run("ROLLBACK").catch(() => undefined);
    if (request.signal.aborted) throw new ConnectorError("aborted", `the load into ${name} was stopped; the table is unchanged`, false, { cause: err });
    if (err instanceof EtlError) throw err;
    throw new ConnectorError("duckdb-load", `loading into ${name} failed (the table is unchanged): ${messageOf(err)}`, false, { cause: err });
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    connection.closeSync();
  }
}

function keyColumns(request: LoadRequest): string[] {
  const key = request.load.key;
  return key === undefined ? [] : Array.isArray(key) ? key : [key];
}

async function loadWith(connection: DuckDBConnection, request: LoadRequest, target: TableName): Promise<LoadResult> {
  const { load, runId, stepId, logger } = request;
  const name = displayName(target);
  const key = keyColumns(request);
  if (load.mode === "merge" && key.length === 0) throw new ConnectorError("duckdb-merge-key", `\`mode: merge\` into ${name} needs \`key\`: the columns that identify a row`);
  await ensureLoadsTable(connection, target);
  const done = await previousLoad(connection, target, runId, stepId);
  if (done !== undefined) {
    logger.warn(
      { table: name, loadedTable: done.target, rows: done.rows, loadedAt: done.loadedAt },
      `step ${stepId} of run ${runId} already loaded ${done.rows} rows into ${done.target} (committed ${done.loadedAt})${done.target === name ? "" : `, before its table became ${name}`}; skipped so those rows are not loaded twice. ` +
        "To load again, run with a new --run-id, or run `agent-etl run <file>` without --run-id for a fresh run",
    );
    return { rows: done.rows };
  }
  const source = await sampleRecords(request.records);
  const types = inferColumns(source.head, request.columns);
  await connection.run("BEGIN TRANSACTION");
  const tableTypes = await prepareTarget(connection, request, target, types, key);
  let rows = 0;
  if (tableTypes !== undefined && types.size > 0) {
    const columns = [...types.keys()];
    rows = await withStageFile(columns, source, request.signal, name, async (stage) => {
      request.onPhase?.(`all ${formatCount(stage.rows)} rows staged; ${load.mode === "merge" ? "merging them into" : load.mode === "replace" ? "replacing the rows of" : "appending them to"} ${name}`);
      await moveRows(connection, load.mode, qualified(target), columns, tableTypes, key, stage);
      return stage.rows;
    });
  } else if (load.mode === "replace" && tableTypes !== undefined) {
    await connection.run(`DELETE FROM ${qualified(target)}`);
  }
  await recordLoad(connection, target, { runId, stepId, targetName: name, mode: load.mode, rows });
  await connection.run("COMMIT");
  return { rows };
}

/** The target's columns and their SQL types, or undefined when there is nothing to create it from. */
async function describeTable(connection: DuckDBConnection, target: TableName): Promise<Map<string, string> | undefined> {
  const reader = await connection.runAndReadAll(
    "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = coalesce($1, current_schema()) AND table_name = $2 ORDER BY column_index",
    [target.schema ?? null, target.name],
  );
  const rows = reader.getRowObjectsJson();
  return rows.length === 0 ? undefined : new Map(rows.map((r) => [String(r["column_name"]), String(r["data_type"])]));
}

async function prepareTarget(connection: DuckDBConnection, request: LoadRequest, target: TableName, types: Map<string, ColumnType>, key: string[]): Promise<Map<string, string> | undefined> {
  const name = displayName(target);
  const existing = await describeTable(connection, target);
  if (existing === undefined) {
    if (!request.load.create) throw new ConnectorError("duckdb-no-table", `table ${name} does not exist; create it, or set \`create: true\` on the load to create it from the records`);
    if (types.size === 0) {
      request.logger.warn({ table: name }, "no records and no known columns: the table is not created");
      return undefined;
    }
    const missingKey = key.filter((k) => !types.has(k));
    if (missingKey.length > 0) throw new ConnectorError("duckdb-merge-key", `the merge key ${missingKey.join(", ")} is not a column of the records loaded into ${name}; columns: ${[...types.keys()].join(", ")}`);
    const cols = [...types].map(([column, type]) => `${quoteIdent(column)} ${sqlTypeOf(type)}`);
    if (request.load.mode === "merge") cols.push(`PRIMARY KEY (${key.map(quoteIdent).join(", ")})`);
    await connection.run(`CREATE TABLE ${qualified(target)} (${cols.join(", ")})`);
    request.logger.info({ table: name }, "created the table from the records' column types");
    return describeTable(connection, target);
  }
  const missing = [...types.keys()].filter((c) => !existing.has(c));
  if (missing.length > 0) {
    throw new ConnectorError(
      "duckdb-unknown-column",
      `table ${name} has no column ${missing.map((c) => JSON.stringify(c)).join(", ")}; add it to the table, or drop/rename it with a transform (the table has ${[...existing.keys()].join(", ")})`,
    );
  }
  const badKey = key.filter((k) => !existing.has(k) || (types.size > 0 && !types.has(k)));
  if (request.load.mode === "merge" && badKey.length > 0) throw new ConnectorError("duckdb-merge-key", `the merge key ${badKey.join(", ")} must be a column of both the records and table ${name}`);
  return existing;
}

/** The text columns `c0`, `c1`, … cast to the target's column types, named as the target's columns. */
function castColumns(columns: readonly string[], tableTypes: ReadonlyMap<string, string>, named: (column: string, i: number) => string): string {
  return columns.map((c, i) => `${castText(named(c, i), tableTypes.get(c) ?? "VARCHAR")} AS ${quoteIdent(c)}`).join(", ");
}

/**
 * Appends and replaces insert straight from the stage file, read in parallel (the rows' order does
 * not matter); a merge takes one record per key, the last, so it reads the file in order into the
 * stage table first.
 */
async function moveRows(connection: DuckDBConnection, mode: LoadRequest["load"]["mode"], tableSql: string, columns: readonly string[], tableTypes: ReadonlyMap<string, string>, key: readonly string[], stage: StageFile): Promise<void> {
  const cols = columns.map(quoteIdent).join(", ");
  if (mode === "replace") await connection.run(`DELETE FROM ${tableSql}`);
  if (mode !== "merge") {
    await connection.run(`INSERT INTO ${tableSql} (${cols}) SELECT ${castColumns(columns, tableTypes, (_, i) => `c${i}`)} FROM ${stage.reader(false)}`);
    return;
  }
  await createStage(connection, columns, stage);
  const t = quoteIdent("_agent_etl_target");
  const s = quoteIdent("_agent_etl_source");
  const others = columns.filter((c) => !key.includes(c));
  const on = key.map((k) => `${t}.${quoteIdent(k)} = ${s}.${quoteIdent(k)}`).join(" AND ");
  // Only rows whose values changed are rewritten; text comparison tells 1.0 from 1.00 and -0 from 0.
  const changed = others.map((c) => `CAST(${t}.${quoteIdent(c)} AS VARCHAR) IS DISTINCT FROM CAST(${s}.${quoteIdent(c)} AS VARCHAR)`).join(" OR ");
  const update = others.length > 0 ? `WHEN MATCHED AND (${changed}) THEN UPDATE SET ${others.map((c) => `${quoteIdent(c)} = ${s}.${quoteIdent(c)}`).join(", ")}` : "";
  const values = columns.map((c) => `${s}.${quoteIdent(c)}`).join(", ");
  const last = `QUALIFY row_number() OVER (PARTITION BY ${key.map(quoteIdent).join(", ")} ORDER BY rowid DESC) = 1`;
  const source = `SELECT ${castColumns(columns, tableTypes, (c) => quoteIdent(c))} FROM ${STAGE} ${last}`;
  await connection.run(`MERGE INTO ${tableSql} AS ${t} USING (${source}) AS ${s} ON ${on} ${update} WHEN NOT MATCHED THEN INSERT (${cols}) VALUES (${values})`);
  await connection.run(`DROP TABLE ${STAGE}`);
}
