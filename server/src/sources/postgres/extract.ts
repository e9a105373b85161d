/**
 * PostgreSQL extracts through a server-side cursor (DECLARE … FETCH in batches, in a read-only
 * transaction), so only one batch is in memory. Column types come from the result's type OIDs.
 * `incremental` reads rows whose column is greater than the high-water mark, in its order, and
 * reports the last value seen as the new mark.
 */
import type pg from "pg";
import type { ColumnType } from "../../pipeline/model";
import { renderSqlTemplate, TemplateError } from "../../pipeline/templates";
import { ConnectorError } from "../../errors";
import type { DataRecord, ExtractRequest, ExtractResult } from "../types";
import { connectionSecrets, killClient, openClient, type PostgresConnection } from "./client";
import { columnTypeOfOid } from "./columnTypes";
import { toConnectorError } from "./errors";
import { displayName, parseTableName, qualified, quoteIdent } from "./names";

export const FETCH_SIZE = 5000;

/** Clients of extracts whose records were not read to the end yet (closed by `closeOpenExtracts`). */
const open = new Set<pg.Client>();

/** Ends every extract still holding a connection (a run that stopped before reading its records). */
export async function closeOpenExtracts(): Promise<void> {
  const clients = [...open];
  open.clear();
  await Promise.allSettled(clients.map((c) => c.end()));
}

interface Plan {
  sql: string;
  params: unknown[];
  /** The incremental column when it was added only to track the mark (removed from records). */
  hiddenColumn?: string;
  what: string;
  /** Picks the error hints: a table read, or the user's query. */
  context: "extract-table" | "extract-query";
}

function baseQuery(request: ExtractRequest, selectList: string): Omit<Plan, "params" | "hiddenColumn"> {
  const { extract } = request;
  if (extract.table !== undefined) {
    const table = parseTableName(extract.table);
    return { sql: `SELECT ${selectList} FROM ${qualified(table)}`, what: `table ${displayName(table)}`, context: "extract-table" };
  }
  if (typeof extract.query !== "string") throw new ConnectorError("postgres-extract", "a postgres extract needs `table` or `query` (a SELECT)");
  let query: string;
  try {
    query = renderSqlTemplate(extract.query, request.templates).trim().replace(/;\s*$/, "");
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    throw err;
  }
  return { sql: selectList === "*" ? query : `SELECT ${selectList} FROM (${query}) AS agent_etl_query`, what: "the extract query", context: "extract-query" };
}

export function planExtract(request: ExtractRequest): Plan {
  const { columns, incremental } = request.extract;
  const incColumn = incremental?.column;
  const wanted = columns ? [...columns] : undefined;
  const hidden = incColumn !== undefined && wanted !== undefined && !wanted.includes(incColumn) ? incColumn : undefined;
  if (hidden !== undefined) wanted?.push(hidden);
  const selectList = wanted ? wanted.map(quoteIdent).join(", ") : "*";
  const base = baseQuery(request, selectList);
  if (incColumn === undefined) return { ...base, params: [] };
  const mark = request.highWater ?? incremental?.initial;
  const col = quoteIdent(incColumn);
  const where = mark === undefined ? `${col} IS NOT NULL` : `${col} > $1`;
  return {
    sql: `SELECT * FROM (${base.sql}) AS agent_etl_incremental WHERE ${where} ORDER BY ${col}`,
    params: mark === undefined ? [] : [String(mark)],
    what: base.what,
    context: base.context,
    ...(hidden !== undefined ? { hiddenColumn: hidden } : {}),
  };
}

export async function extractPostgres(request: ExtractRequest): Promise<ExtractResult> {
  const plan = planExtract(request);
  const secrets = connectionSecrets(request.connection as PostgresConnection, request.secrets);
  const client = await openClient({ connection: request.connection, secrets, signal: request.signal });
  const onAbort = () => killClient(client, request.logger);
  request.signal.addEventListener("abort", onAbort, { once: true });
  open.add(client);
  const cleanup = async () => {
    request.signal.removeEventListener("abort", onAbort);
    if (open.delete(client)) await client.end().catch(() => undefined);
  };
  let first: pg.QueryResult<DataRecord>;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query(`DECLARE agent_etl_cursor NO SCROLL CURSOR FOR ${plan.sql}`, plan.params);
    first = await client.query<DataRecord>(`FETCH ${FETCH_SIZE} FROM agent_etl_cursor`);
  } catch (err: unknown) {
    await cleanup();
    throw toConnectorError(err, `reading ${plan.what} failed`, secrets, plan.context);
  }
  const columns: Record<string, ColumnType> = {};
  for (const f of first.fields) if (f.name !== plan.hiddenColumn) columns[f.name] = columnTypeOfOid(f.dataTypeID);
  const incColumn = request.extract.incremental?.column;
  let mark: string | number | undefined;
  async function* rows(): AsyncGenerator<DataRecord> {
    try {
      let batch = first;
      for (;;) {
        for (const row of batch.rows) {
          if (incColumn !== undefined) mark = row[incColumn] as string | number;
          if (plan.hiddenColumn !== undefined) delete row[plan.hiddenColumn];
          yield row;
        }
        if (batch.rows.length < FETCH_SIZE) break;
        batch = await client.query<DataRecord>(`FETCH ${FETCH_SIZE} FROM agent_etl_cursor`);
      }
      await client.query("COMMIT");
    } catch (err: unknown) {
      if (request.signal.aborted) throw new ConnectorError("aborted", `reading ${plan.what} was stopped`, false);
      throw toConnectorError(err, `reading ${plan.what} failed`, secrets, plan.context);
    } finally {
      await cleanup();
    }
  }
  return {
    records: rows(),
    columns,
    ...(incColumn !== undefined ? { highWater: () => mark ?? request.highWater ?? request.extract.incremental?.initial } : {}),
  };
}
