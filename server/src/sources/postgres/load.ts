/**
 * PostgreSQL loads, all-or-nothing: one transaction holds the COPY (straight into the target for
 * `append`, into a temp staging table for `replace`/`merge`), the mode's statement, the table's
 * creation when `create` is true, and the `_agent_etl_loads` bookkeeping row that makes a retried
 * or resumed load of the same (run_id, step_id) a no-op (with a warning). A failure or kill before
 * COMMIT leaves the target exactly as it was.
 */
import type pg from "pg";
import type { ColumnType } from "../../pipeline/model";
import { ConnectorError, EtlError } from "../../errors";
import type { LoadRequest, LoadResult } from "../types";
import { ensureLoadsTable, previousLoad, recordLoad } from "./bookkeeping";
import { describeTable, hasUniqueIndexOn, type TableInfo } from "./catalog";
import { connectionSecrets, killClient, openClient, type PostgresConnection } from "./client";
import { inferColumns } from "../columnInference";
import { copyRecords, sampleRecords, type RecordSource } from "./copyIn";
import { toConnectorError } from "./errors";
import { incomingColumns, reconcileSchema, type SchemaOutcome } from "./drift";
import { createStage, createTable, mergeFromStage, replaceFromStage } from "./loadModes";
import { watchLockWaits } from "./lockWatch";
import { formatCount } from "../../format/numbers";
import { displayName, parseTableName, qualified, quoteIdent, type TableName } from "./names";

export async function loadPostgres(request: LoadRequest): Promise<LoadResult> {
  const target = parseTableName(request.load.table);
  const secrets = connectionSecrets(request.connection as PostgresConnection, request.secrets);
  const client = await openClient({ connection: request.connection, secrets, signal: request.signal });
  const onAbort = () => killClient(client, request.logger);
  request.signal.addEventListener("abort", onAbort, { once: true });
  const pid = (client as { processID?: number | null }).processID;
  // A statement waiting on another session's lock would otherwise look like a hang.
  const watch = typeof pid === "number" ? watchLockWaits({ connection: request.connection, secrets, pid, table: displayName(target), logger: request.logger, ...(request.onPhase ? { onPhase: request.onPhase } : {}) }) : undefined;
  try {
    return await loadWith(client, request, target);
  } catch (err: unknown) {
    if (request.signal.aborted) throw new ConnectorError("aborted", `the load into ${displayName(target)} was stopped; the table is unchanged`, false, { cause: err });
    // An error of the records' producer (e.g. a failed cast naming its row) is passed on as it is.
    if (err instanceof EtlError && !(err instanceof ConnectorError)) throw err;
    throw toConnectorError(err, `loading into ${displayName(target)} failed (the table is unchanged)`, secrets, "load");
  } finally {
    await watch?.stop();
    request.signal.removeEventListener("abort", onAbort);
    await client.end().catch(() => undefined);
  }
}

function keyColumns(request: LoadRequest): string[] {
  const key = request.load.key;
  return key === undefined ? [] : Array.isArray(key) ? key : [key];
}

async function loadWith(client: pg.Client, request: LoadRequest, target: TableName): Promise<LoadResult> {
  const { load, runId, stepId, logger } = request;
  const name = displayName(target);
  const key = keyColumns(request);
  if (load.mode === "merge" && key.length === 0) throw new ConnectorError("postgres-merge-key", `\`mode: merge\` into ${name} needs \`key\`: the columns that identify a row`);
  await ensureLoadsTable(client, target);
  const done = await previousLoad(client, target, runId, stepId);
  if (done !== undefined) {
    // Deliberate (a retried or resumed task must not load twice), but a user re-running the step
    // with the same --run-id expects new rows: say loudly that nothing was loaded, and how to load.
    logger.warn(
      { table: name, loadedTable: done.target, rows: done.rows, loadedAt: done.loadedAt },
      `step ${stepId} of run ${runId} already loaded ${done.rows} rows into ${done.target} (committed ${done.loadedAt})${done.target === name ? "" : `, before its table became ${name}`}; skipped so those rows are not loaded twice. ` +
        "To load again, run with a new --run-id, or run `agent-etl run <file>` without --run-id for a fresh run",
    );
    return { rows: done.rows };
  }
  const source = await sampleRecords(request.records);
  const types = inferColumns(source.head, request.columns);
  // The stage is a temp table, kept in session-local buffers (8 MB by default, so a big stage
  // would go to disk page by page). Settable only before the session's first temp table: this
  // session is fresh. Memory is taken only as the stage grows.
  if (load.mode !== "append") await client.query("SET temp_buffers = '256MB'");
  await client.query("BEGIN");
  const prepared = await prepareTarget(client, request, target, source, types, key);
  const rows = prepared === undefined ? 0 : await moveRows(client, request, target, prepared, source, key);
  try {
    await recordLoad(client, target, { runId, stepId, targetName: name, mode: load.mode, rows });
  } catch (err: unknown) {
    if ((err as { code?: string }).code !== "23505") throw err;
    // Another attempt of the same run and step committed first; ours rolls back, a retry skips.
    throw new ConnectorError("postgres-concurrent-load", `another attempt of step ${stepId} in run ${runId} loaded ${name} at the same time; this one was rolled back`, true, { cause: err });
  }
  await client.query("COMMIT");
  const changes = prepared?.schema.changes ?? [];
  return { rows, ...(changes.length > 0 ? { schemaChanges: { policy: load.on_schema_change ?? "fail", changes } } : {}) };
}

interface Prepared {
  info: TableInfo;
  schema: SchemaOutcome;
}

/** Checks (or creates) the target, and meets schema drift by the load's policy; undefined when there is nothing to create from. */
async function prepareTarget(client: pg.Client, request: LoadRequest, target: TableName, source: RecordSource, types: Map<string, ColumnType>, key: string[]): Promise<Prepared | undefined> {
  const name = displayName(target);
  const existing = await describeTable(client, target);
  const unchanged: SchemaOutcome = { columns: [...types.keys()], ignored: new Set(), changes: [] };
  if (existing === undefined) {
    if (!request.load.create) throw new ConnectorError("postgres-no-table", `table ${name} does not exist; create it, or set \`create: true\` on the load to create it from the records`);
    if (types.size === 0) {
      request.logger.warn({ table: name }, "no records and no known columns: the table is not created");
      return undefined;
    }
    const missingKey = key.filter((k) => !types.has(k));
    if (missingKey.length > 0) throw new ConnectorError("postgres-merge-key", `the merge key ${missingKey.join(", ")} is not a column of the records loaded into ${name}; columns: ${[...types.keys()].join(", ")}`);
    await createTable(client, qualified(target), types, request.load.mode === "merge" ? key : undefined);
    request.logger.info({ table: name }, "created the table from the records' column types");
    return { info: (await describeTable(client, target)) as TableInfo, schema: unchanged };
  }
  // No records: nothing to compare, and nothing is loaded.
  const policy = request.load.on_schema_change ?? "fail";
  const schema = types.size === 0 ? unchanged : await reconcileSchema(client, { tableSql: qualified(target), name, info: existing }, policy, incomingColumns(types, request.columns, source.head));
  const info = policy === "evolve" && schema.changes.length > 0 ? ((await describeTable(client, target)) as TableInfo) : existing;
  if (request.load.mode === "merge") await checkMergeKey(client, info, name, key, types);
  return { info, schema };
}

async function checkMergeKey(client: pg.Client, info: TableInfo, name: string, key: string[], types: Map<string, ColumnType>): Promise<void> {
  const missing = key.filter((k) => !info.columns.has(k) || (types.size > 0 && !types.has(k)));
  if (missing.length > 0) throw new ConnectorError("postgres-merge-key", `the merge key ${missing.join(", ")} must be a column of both the records and table ${name}`);
  if (!(await hasUniqueIndexOn(client, info.oid, key))) {
    const cols = key.map(quoteIdent).join(", ");
    throw new ConnectorError(
      "postgres-merge-key",
      `\`mode: merge\` needs a primary key or unique index on (${key.join(", ")}) of table ${name}, and it has none; add one, e.g. CREATE UNIQUE INDEX ON ${name} (${cols})`,
    );
  }
}

async function serverVersion(client: pg.Client): Promise<number> {
  const res = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Number(res.rows[0]?.v ?? 0);
}

async function moveRows(client: pg.Client, request: LoadRequest, target: TableName, { info, schema }: Prepared, source: RecordSource, key: string[]): Promise<number> {
  const { columns, ignored } = schema;
  const tableSql = qualified(target);
  const name = displayName(target);
  const mode = request.load.mode;
  if (columns.length === 0) {
    // No records at all: append and merge change nothing; replace leaves the table empty.
    if (mode === "replace") await replaceFromStage(client, tableSql, "", []);
    return 0;
  }
  // Columns declared json (e.g. by a `cast`) hold parsed JSON values; undeclared strings pass through as JSON text.
  const json = new Set(Object.entries(request.columns ?? {}).filter(([, t]) => t === "json").map(([c]) => c));
  if (mode === "append") return copyRecords(client, tableSql, name, columns, source, request.signal, json, ignored);
  const stage = await createStage(client, tableSql, columns);
  const rows = await copyRecords(client, `pg_temp.${stage}`, name, columns, source, request.signal, json, ignored);
  // The mode's statement can take as long as the streaming did: say so (the terminal shows it).
  const sent = `all ${formatCount(rows)} rows sent; `;
  if (mode === "replace") {
    request.onPhase?.(`${sent}replacing the rows of ${request.load.table}`);
    await replaceFromStage(client, tableSql, stage, columns);
  } else if (rows > 0) {
    request.onPhase?.(`${sent}merging them into ${request.load.table}`);
    await mergeFromStage(client, tableSql, stage, columns, key, info.columns, await serverVersion(client));
  }
  return rows;
}
