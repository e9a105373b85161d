/**
 * PostgreSQL extracts through a server-side cursor (DECLARE … FETCH in batches, in a read-only
 * transaction), so only one batch is in memory. Column types come from the result's type OIDs.
 * `incremental` reads rows whose column is greater than the high-water mark, in its order, and
 * reports the last value seen as the new mark.
 */
import type pg from "pg";
import type { ColumnType } from "../../pipeline/model";
import { bindSelect, SqlTemplateError, type SqlStatement } from "../../pipeline/sqlTemplates";
import { TemplateError, type TemplateScalar } from "../../pipeline/templates";
import { ConnectorError } from "../../errors";
import type { DataRecord, ExtractRequest, ExtractResult } from "../types";
import { connectionSecrets, killClient, openClient, type PostgresConnection } from "./client";
import { columnTypeOfOid } from "./columnTypes";
import { queryStatement } from "./bound";
import { toConnectorError } from "./errors";
import { displayName, parseTableName, qualified, quoteIdent } from "./names";
import { setOwn } from "../../pipeline/ownKeys";

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
  params: TemplateScalar[];
  /** The incremental column when it was added only to track the mark (removed from records). */
  hiddenColumn?: string;
  what: string;
  /** Picks the error hints: a table read, or the user's query. */
  context: "extract-table" | "extract-query";
}

function baseQuery(request: ExtractRequest, selectList: string): Omit<Plan, "hiddenColumn"> {
  const { extract } = request;
  if (extract.table !== undefined) {
    const table = parseTableName(extract.table);
    return { sql: `SELECT ${selectList} FROM ${qualified(table)}`, params: [], what: `table ${displayName(table)}`, context: "extract-table" };
  }
  if (typeof extract.query !== "string") throw new ConnectorError("postgres-extract", "a postgres extract needs `table` or `query` (a SELECT)");
  let bound: SqlStatement;
  try {
    bound = bindSelect(extract.query.trim().replace(/;\s*$/, ""), request.templates);
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    if (err instanceof SqlTemplateError) throw new ConnectorError(err.code, err.message);
    throw err;
  }
  // The newline ends a `--` comment on the query's last line before the wrapping goes on.
  const sql = selectList === "*" ? bound.text : `SELECT ${selectList} FROM (${bound.text}\n) AS agent_etl_query`;
  return { sql, params: bound.values, what: "the extract query", context: "extract-query" };
}

/**
 * A preview reads at most `limit` rows: our own SELECT (a table, an incremental read in its order)
 * takes the LIMIT as it is; a user's query is wrapped, so its own LIMIT or ORDER BY still applies.
 */
function limited(plan: Plan, request: ExtractRequest, own: boolean): Plan {
  const limit = request.preview?.limit;
  if (limit === undefined) return plan;
  // Our own whole number, written in the statement: as a parameter it could be retyped as text (bound.ts).
  const rows = Math.max(0, Math.trunc(limit));
  const sql = own ? `${plan.sql} LIMIT ${rows}` : `SELECT * FROM (${plan.sql}\n) AS agent_etl_preview LIMIT ${rows}`;
  return { ...plan, sql };
}

function planExtract(request: ExtractRequest): Plan {
  const plan = planUnlimited(request);
  return limited(plan, request, plan.context === "extract-table" || request.extract.incremental !== undefined);
}

function planUnlimited(request: ExtractRequest): Plan {
  const { columns, incremental } = request.extract;
  const incColumn = incremental?.column;
  const wanted = columns ? [...columns] : undefined;
  const hidden = incColumn !== undefined && wanted !== undefined && !wanted.includes(incColumn) ? incColumn : undefined;
  if (hidden !== undefined) wanted?.push(hidden);
  const selectList = wanted ? wanted.map(quoteIdent).join(", ") : "*";
  const base = baseQuery(request, selectList);
  if (incColumn === undefined) return base;
  const mark = request.highWater ?? incremental?.initial;
  const col = quoteIdent(incColumn);
  const where = mark === undefined ? `${col} IS NOT NULL` : `${col} > $${base.params.length + 1}`;
  return {
    sql: `SELECT * FROM (${base.sql}\n) AS agent_etl_incremental WHERE ${where} ORDER BY ${col}`,
    params: mark === undefined ? base.params : [...base.params, String(mark)],
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
    await queryStatement(client, { text: `DECLARE agent_etl_cursor NO SCROLL CURSOR FOR ${plan.sql}`, values: plan.params }, true);
    first = await client.query<DataRecord>(`FETCH ${FETCH_SIZE} FROM agent_etl_cursor`);
  } catch (err: unknown) {
    await cleanup();
    throw toConnectorError(err, `reading ${plan.what} failed`, secrets, plan.context);
  }
  const columns: Record<string, ColumnType> = {};
  for (const f of first.fields) if (f.name !== plan.hiddenColumn) setOwn(columns, f.name, columnTypeOfOid(f.dataTypeID));
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
