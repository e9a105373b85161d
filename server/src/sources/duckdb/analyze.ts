/**
 * Live analysis of a DuckDB database file: its tables and views with columns and keys (one query
 * per kind over DuckDB's catalog functions), and the columns of a `query`, prepared but never run.
 * The file is opened read-only, with no access to any other file, and closed at once.
 */
import { existsSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ConnectorError } from "../../errors";
import { templateNames, type TemplateValues } from "../../pipeline/templates";
import type { AnalysisRequest, AnalysisResult, AnalyzeContext, Catalog, ColumnInfo, QueryColumns, TableInfo } from "../analysis/types";
import { columnTypeOf } from "./columnTypes";
import { databasePath, messageOf, openReadOnly } from "./engine";
import { boundQuery } from "./extract";

const SYSTEM = "database_name = current_database() AND NOT internal AND schema_name NOT IN ('information_schema', 'pg_catalog')";

const TABLES_SQL = `SELECT schema_name, table_name, 'table' AS kind, estimated_size FROM duckdb_tables() WHERE ${SYSTEM}
  UNION ALL SELECT schema_name, view_name, 'view', NULL FROM duckdb_views() WHERE ${SYSTEM}
  ORDER BY 1, 2`;
const COLUMNS_SQL = `SELECT schema_name, table_name, column_name, data_type, is_nullable FROM duckdb_columns() WHERE ${SYSTEM} ORDER BY schema_name, table_name, column_index`;
const CONSTRAINTS_SQL = `SELECT schema_name, table_name, constraint_type, constraint_name, constraint_column_names, referenced_table, referenced_column_names
  FROM duckdb_constraints() WHERE database_name = current_database() AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')`;

type Row = Record<string, unknown>;

async function rows(connection: DuckDBConnection, sql: string): Promise<Row[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[];
}

const keyOf = (schema: unknown, table: unknown) => `${String(schema)}\u0000${String(table)}`;

export async function duckdbCatalog(connection: DuckDBConnection): Promise<Catalog> {
  const [tables, columns, constraints, current] = [await rows(connection, TABLES_SQL), await rows(connection, COLUMNS_SQL), await rows(connection, CONSTRAINTS_SQL), await rows(connection, "SELECT current_schema() AS s")];
  const defaultSchema = String(current[0]?.["s"] ?? "main");
  const byTable = new Map<string, TableInfo>();
  for (const t of tables) {
    const size = t["estimated_size"];
    byTable.set(keyOf(t["schema_name"], t["table_name"]), {
      schema: String(t["schema_name"]),
      name: String(t["table_name"]),
      kind: t["kind"] === "view" ? "view" : "table",
      columns: [],
      primaryKey: [],
      foreignKeys: [],
      rowEstimate: size === null || size === undefined ? null : Number(size),
    });
  }
  for (const c of columns) {
    const sqlType = String(c["data_type"]);
    byTable.get(keyOf(c["schema_name"], c["table_name"]))?.columns.push({ name: String(c["column_name"]), type: columnTypeOf(sqlType), nullable: c["is_nullable"] === true, sqlType });
  }
  for (const k of constraints) {
    const table = byTable.get(keyOf(k["schema_name"], k["table_name"]));
    if (!table) continue;
    const cols = (k["constraint_column_names"] as string[] | null) ?? [];
    if (k["constraint_type"] === "PRIMARY KEY") table.primaryKey = cols;
    else table.foreignKeys.push({ name: String(k["constraint_name"]), columns: cols, references: { schema: table.schema, table: String(k["referenced_table"]), columns: (k["referenced_column_names"] as string[] | null) ?? [] } });
  }
  const schemas = [...new Set([...byTable.values()].map((t) => t.schema).concat(defaultSchema))].sort();
  return { kind: "catalog", schemas, defaultSchema, tables: [...byTable.values()] };
}

/** The columns of a query, from the prepared statement (templates bound to placeholder values, never run). */
export async function describeDuckdbQuery(connection: DuckDBConnection, query: string): Promise<QueryColumns> {
  // The columns do not depend on the templates' values: every one is bound as NULL.
  const params: TemplateValues["params"] = {};
  for (const name of templateNames(query)) if (name.startsWith("params.")) params[name.slice("params.".length)] = null;
  const bound = boundQuery(query, { ds: "", ds_nodash: "", ts: "", ts_nodash: "", run_id: "", params });
  if (bound.text.trim() === "") throw new ConnectorError("analysis-request", "the query is empty");
  const prepared = await connection.prepare(bound.text);
  const columns: ColumnInfo[] = [];
  for (let i = 0; i < prepared.columnCount; i++) {
    const type = prepared.columnType(i);
    const sqlType = type.alias ?? type.toString();
    columns.push({ name: prepared.columnName(i), type: columnTypeOf(sqlType), sqlType });
  }
  return { kind: "query-columns", columns };
}

export async function analyzeDuckdb(ctx: AnalyzeContext, request: AnalysisRequest): Promise<AnalysisResult> {
  if (request.kind !== "catalog" && request.kind !== "query-columns") throw new ConnectorError("analysis-request", `a duckdb connection cannot answer a ${request.kind} request`);
  const path = databasePath(ctx.connection, ctx.baseDir);
  if (!existsSync(path)) throw new ConnectorError("duckdb-no-file", `no DuckDB database at ${path} yet; a load into connection \`${ctx.connectionName}\` creates it`);
  const instance = await openReadOnly(path);
  try {
    const connection = await instance.connect();
    try {
      return request.kind === "catalog" ? await duckdbCatalog(connection) : await describeDuckdbQuery(connection, request.query);
    } finally {
      connection.closeSync();
    }
  } catch (err: unknown) {
    if (err instanceof ConnectorError) throw err;
    throw new ConnectorError("duckdb-analysis", `analysing the DuckDB database ${path} failed: ${messageOf(err)}`, false, { cause: err });
  } finally {
    instance.closeSync();
  }
}
