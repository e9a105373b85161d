/**
 * DuckDB extracts: the query's result streamed chunk by chunk (about 2,048 rows each), so only one
 * chunk is in memory. `incremental`, `columns` and a preview's limit work as for PostgreSQL.
 */
import type { DuckDBResult } from "@duckdb/node-api";
import { ConnectorError } from "../../errors";
import type { ColumnType } from "../../pipeline/model";
import { setOwn } from "../../pipeline/ownKeys";
import { bindSelect, SqlTemplateError, type SqlStatement } from "../../pipeline/sqlTemplates";
import { TemplateError, type TemplateScalar } from "../../pipeline/templates";
import type { DataRecord, ExtractRequest, ExtractResult } from "../types";
import { columnTypeOf } from "./columnTypes";
import { connectTo, databasePath, duckdbApi, messageOf } from "./engine";
import { displayName, parseTableName, qualified, quoteIdent } from "./names";

interface Plan {
  sql: string;
  params: TemplateScalar[];
  /** The incremental column when it was added only to track the mark (removed from records). */
  hiddenColumn?: string;
  what: string;
}

/** The user's query with its templates bound as parameters. */
export function boundQuery(query: string, templates: ExtractRequest["templates"]): SqlStatement {
  try {
    return bindSelect(query.trim().replace(/;\s*$/, ""), templates);
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    if (err instanceof SqlTemplateError) throw new ConnectorError(err.code, err.message);
    throw err;
  }
}

function baseQuery(request: ExtractRequest, selectList: string): Plan {
  const { extract } = request;
  if (extract.table !== undefined) {
    const table = parseTableName(extract.table);
    return { sql: `SELECT ${selectList} FROM ${qualified(table)}`, params: [], what: `table ${displayName(table)}` };
  }
  if (typeof extract.query !== "string") throw new ConnectorError("duckdb-extract", "a duckdb extract needs `table` or `query` (a SELECT)");
  const bound = boundQuery(extract.query, request.templates);
  const sql = selectList === "*" ? bound.text : `SELECT ${selectList} FROM (${bound.text}\n) AS agent_etl_query`;
  return { sql, params: bound.values, what: "the extract query" };
}

export function planExtract(request: ExtractRequest): Plan {
  const { columns, incremental } = request.extract;
  const incColumn = incremental?.column;
  const wanted = columns ? [...columns] : undefined;
  const hidden = incColumn !== undefined && wanted !== undefined && !wanted.includes(incColumn) ? incColumn : undefined;
  if (hidden !== undefined) wanted?.push(hidden);
  const base = baseQuery(request, wanted ? wanted.map(quoteIdent).join(", ") : "*");
  let plan: Plan = base;
  if (incColumn !== undefined) {
    const mark = request.highWater ?? incremental?.initial;
    const col = quoteIdent(incColumn);
    // The parameter takes the column's type (DuckDB infers it from the comparison).
    const where = mark === undefined ? `${col} IS NOT NULL` : `${col} > $${base.params.length + 1}`;
    plan = {
      sql: `SELECT * FROM (${base.sql}\n) AS agent_etl_incremental WHERE ${where} ORDER BY ${col}`,
      params: mark === undefined ? base.params : [...base.params, mark],
      what: base.what,
      ...(hidden !== undefined ? { hiddenColumn: hidden } : {}),
    };
  }
  const limit = request.preview?.limit;
  return limit === undefined ? plan : { ...plan, sql: `SELECT * FROM (${plan.sql}\n) AS agent_etl_preview LIMIT ${Math.max(0, Math.trunc(limit))}` };
}

/** A result column's SQL type; JSON is an alias of VARCHAR that only the alias tells. */
const sqlTypeAt = (result: DuckDBResult, i: number): string => result.columnType(i).alias ?? result.columnType(i).toString();

/** JSON columns come back as their text: parse it, as the PostgreSQL extract gives jsonb. */
function jsonColumns(result: DuckDBResult): string[] {
  return result.columnNames().filter((_, i) => sqlTypeAt(result, i) === "JSON");
}

export async function extractDuckdb(request: ExtractRequest): Promise<ExtractResult> {
  const plan = planExtract(request);
  const { JsonDuckDBValueConverter } = await duckdbApi();
  const connection = await connectTo(databasePath(request.connection, request.baseDir));
  const onAbort = () => connection.interrupt();
  request.signal.addEventListener("abort", onAbort, { once: true });
  const cleanup = () => {
    request.signal.removeEventListener("abort", onAbort);
    connection.closeSync();
  };
  let result: DuckDBResult;
  try {
    result = await connection.stream(plan.sql, plan.params);
  } catch (err: unknown) {
    cleanup();
    throw new ConnectorError("duckdb-extract", `reading ${plan.what} failed: ${messageOf(err)}`, false, { cause: err });
  }
  const columns: Record<string, ColumnType> = {};
  const names = result.columnNames();
  names.forEach((n, i) => {
    if (n !== plan.hiddenColumn) setOwn(columns, n, columnTypeOf(sqlTypeAt(result, i)));
  });
  const json = jsonColumns(result);
  const incColumn = request.extract.incremental?.column;
  let mark: string | number | undefined;
  async function* rows(): AsyncGenerator<DataRecord> {
    try {
      for await (const chunk of result.yieldConvertedRowObjects(JsonDuckDBValueConverter)) {
        for (const row of chunk as DataRecord[]) {
          for (const c of json) if (typeof row[c] === "string") row[c] = JSON.parse(row[c]);
          if (incColumn !== undefined) mark = row[incColumn] as string | number;
          if (plan.hiddenColumn !== undefined) delete row[plan.hiddenColumn];
          yield row;
        }
      }
    } catch (err: unknown) {
      if (request.signal.aborted) throw new ConnectorError("aborted", `reading ${plan.what} was stopped`, false);
      throw new ConnectorError("duckdb-extract", `reading ${plan.what} failed: ${messageOf(err)}`, false, { cause: err });
    } finally {
      cleanup();
    }
  }
  return {
    records: rows(),
    columns,
    ...(incColumn !== undefined ? { highWater: () => mark ?? request.highWater ?? request.extract.incremental?.initial } : {}),
  };
}
