/**
 * Live analysis of a PostgreSQL connection (issue 5): the user schemas, their relations with
 * columns, keys and row estimates — one catalog query per kind (schemas, relations, columns,
 * constraints), never one per table — and the columns of a `query`, described with `LIMIT 0`.
 * Everything runs in a `READ ONLY` transaction with a `statement_timeout`; the user's query is sent
 * with the extended protocol, so it is one statement and cannot end the transaction.
 */
import type pg from "pg";
import { ConnectorError } from "../../errors";
import type { ColumnType } from "../../pipeline/model";
import { bindSelect, SqlTemplateError, type SqlStatement } from "../../pipeline/sqlTemplates";
import { templateNames, TemplateError, type TemplateValues } from "../../pipeline/templates";
import { queryStatement } from "./bound";
import type { AnalyzeContext, ColumnInfo, ForeignKeyInfo, Catalog, QueryColumns, TableInfo } from "../analysis/types";
import { connectionSecrets, openClient, type PostgresConnection } from "./client";
import { columnTypeOfOid } from "./columnTypes";
import { toConnectorError, type PgErrorContext } from "./errors";

export const DEFAULT_ANALYZE_TIMEOUT_MS = 10_000;

const stats = { catalogQueries: 0, statements: 0 };

/** Statements this module sent since the process started (`catalogQueries`: the catalog reads alone). For tests and the bench. */
export function postgresAnalysisStats(): { catalogQueries: number; statements: number } {
  return { ...stats };
}

// `pg_` schemas are reserved for the system (pg_catalog, pg_toast, pg_temp_N …).
const USER_SCHEMA = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

const SCHEMAS_SQL = `SELECT current_schema() AS current,
  array(SELECT n.nspname::text FROM pg_namespace n WHERE ${USER_SCHEMA} ORDER BY 1) AS schemas`;

const RELATIONS_SQL = `SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind, c.reltuples::float8 AS tuples,
       pn.nspname::text AS parent_schema, pc.relname::text AS parent_name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
  LEFT JOIN pg_class pc ON pc.oid = i.inhparent
  LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
 WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND ${USER_SCHEMA}
 ORDER BY n.nspname, c.relname`;

const COLUMNS_SQL = `SELECT a.attrelid::int8 AS rel, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS sql_type,
       (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END)::int8 AS type_oid,
       (t.typcategory = 'A' OR bt.typcategory = 'A') AS is_array, NOT a.attnotnull AS nullable,
       (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS filled
  FROM pg_attribute a
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
 WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

// A foreign key that references a partitioned table has one child row per referenced partition on
// the same table (conparentid set): only the parent constraint is the user's.
const CONSTRAINTS_SQL = `SELECT con.conrelid::int8 AS rel, con.contype::text AS type, con.conname::text AS name,
       array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
       fn.nspname::text AS ref_schema, fc.relname::text AS ref_table,
       array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS ref_columns
  FROM pg_constraint con
  LEFT JOIN pg_class fc ON fc.oid = con.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
 WHERE con.contype IN ('p', 'f') AND con.conrelid = ANY ($1::oid[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.oid = con.conparentid AND p.conrelid = con.conrelid)
 ORDER BY con.conrelid, con.conname`;

const KINDS: Record<string, TableInfo["kind"]> = { r: "table", v: "view", m: "materialized_view", p: "partitioned_table", f: "foreign_table" };

interface Session {
  client: pg.Client;
  secrets: string[];
}

function timeoutOf(ctx: AnalyzeContext): number {
  return Math.max(1, Math.round(ctx.timeoutMs ?? DEFAULT_ANALYZE_TIMEOUT_MS));
}

function requirePostgres(ctx: AnalyzeContext): PostgresConnection {
  if (ctx.connection.type !== "postgres") throw new ConnectorError("analysis-request", `connection \`${ctx.connectionName}\` is ${ctx.connection.type}, not postgres`);
  return ctx.connection;
}

/** Connects within the time limit (the signal and `timeoutMs` both cut the wait; a late client is closed). */
async function connect(ctx: AnalyzeContext, secrets: string[]): Promise<pg.Client> {
  const pending = openClient({ connection: ctx.connection, secrets, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ConnectorError("postgres-timeout", `could not connect to PostgreSQL (connection \`${ctx.connectionName}\`) within ${timeoutOf(ctx)} ms`, true)), timeoutOf(ctx));
    onAbort = () => reject(new ConnectorError("aborted", "analysis was stopped", false));
    ctx.signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, limit]);
  } catch (err: unknown) {
    pending.then((late) => late.end()).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal?.removeEventListener("abort", onAbort);
  }
}

/** Opens a read-only transaction with a statement timeout, runs `work`, and always closes the client. */
async function readOnly<T>(ctx: AnalyzeContext, what: string, context: PgErrorContext, work: (session: Session) => Promise<T>): Promise<T> {
  const connection = requirePostgres(ctx);
  const secrets = connectionSecrets(connection, ctx.secrets);
  const client = await connect(ctx, secrets);
  const onAbort = () => void client.end().catch(() => undefined);
  ctx.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    stats.statements++;
    await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutOf(ctx)}`);
    const result = await work({ client, secrets });
    stats.statements++;
    await client.query("COMMIT");
    return result;
  } catch (err: unknown) {
    if (ctx.signal?.aborted) throw new ConnectorError("aborted", "analysis was stopped", false);
    throw toConnectorError(err, `${what} (connection \`${ctx.connectionName}\`)`, secrets, context);
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
    await client.end().catch(() => undefined);
  }
}

async function catalogQuery<R extends pg.QueryResultRow>(session: Session, sql: string, params: unknown[] = []): Promise<R[]> {
  stats.statements++;
  stats.catalogQueries++;
  return (await session.client.query<R>(sql, params)).rows;
}

function columnType(oid: number, isArray: boolean): ColumnType {
  return isArray ? "json" : columnTypeOfOid(oid);
}

interface ConstraintRow {
  rel: number;
  type: string;
  name: string;
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[];
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function defaultSchemaOf(connection: PostgresConnection, current: string | null, schemas: readonly string[]): string {
  const first = connection.schema?.split(",")[0]?.trim().replace(/^"|"$/g, "");
  return first || current || (schemas.includes("public") ? "public" : (schemas[0] ?? "public"));
}

/** Schemas, tables, views, materialized views, partitioned and foreign tables with columns, keys and row estimates. */
export async function analyzePostgresCatalog(ctx: AnalyzeContext): Promise<Catalog> {
  const connection = requirePostgres(ctx);
  return readOnly(ctx, "reading the PostgreSQL catalog failed", "analysis-catalog", async (session) => {
    const [head] = await catalogQuery<{ current: string | null; schemas: string[] }>(session, SCHEMAS_SQL);
    const relations = await catalogQuery<{ oid: number; schema: string; name: string; kind: string; tuples: number; parent_schema: string | null; parent_name: string | null }>(session, RELATIONS_SQL);
    const oids = relations.map((r) => r.oid);
    const columns = await catalogQuery<{ rel: number; name: string; sql_type: string; type_oid: number; is_array: boolean; nullable: boolean; filled: boolean }>(session, COLUMNS_SQL, [oids]);
    const constraints = await catalogQuery<ConstraintRow>(session, CONSTRAINTS_SQL, [oids]);
    const byOid = new Map<number, TableInfo>();
    const tables = relations.map((r) => {
      const kind = KINDS[r.kind] ?? "table";
      // reltuples is -1 (PostgreSQL 14+) or 0 with relpages 0 (older) until the table is analyzed; views have none.
      const estimate = kind === "view" || kind === "foreign_table" || r.tuples < 0 ? null : Math.round(r.tuples);
      const table: TableInfo = { schema: r.schema, name: r.name, kind, columns: [], primaryKey: [], foreignKeys: [], rowEstimate: estimate };
      if (r.parent_schema !== null && r.parent_name !== null) table.partitionOf = { schema: r.parent_schema, table: r.parent_name };
      byOid.set(r.oid, table);
      return table;
    });
    for (const c of columns) {
      byOid.get(c.rel)?.columns.push({ name: c.name, type: columnType(c.type_oid, c.is_array), nullable: c.nullable, sqlType: c.sql_type, ...(c.filled ? { filled: true } : {}) });
    }
    for (const c of constraints) {
      const table = byOid.get(c.rel);
      if (!table) continue;
      if (c.type === "p") table.primaryKey = c.columns;
      else if (c.ref_schema !== null && c.ref_table !== null) {
        const fk: ForeignKeyInfo = { name: c.name, columns: c.columns, references: { schema: c.ref_schema, table: c.ref_table, columns: c.ref_columns } };
        table.foreignKeys.push(fk);
      }
    }
    // Code-point order, whatever the database's collation: the same catalog always prints the same.
    const schemas = [...(head?.schemas ?? [])].sort(byCodePoint);
    tables.sort((a, b) => byCodePoint(a.schema, b.schema) || byCodePoint(a.name, b.name));
    return { kind: "catalog", schemas, defaultSchema: defaultSchemaOf(connection, head?.current ?? null, schemas), tables };
  });
}

/**
 * A `query` text ready to be wrapped, its templates bound: to describe it they are all NULL (the
 * columns do not depend on them), unknown variables still refused. No trailing `;`.
 */
export function describableQuery(query: string): SqlStatement {
  const params: TemplateValues["params"] = {};
  for (const name of templateNames(query)) if (name.startsWith("params.")) params[name.slice("params.".length)] = null;
  try {
    const bound = bindSelect(query.trim().replace(/;\s*$/, ""), { ds: "", ds_nodash: "", ts: "", ts_nodash: "", run_id: "", params });
    return { text: bound.text, values: bound.values.map(() => null) };
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    if (err instanceof SqlTemplateError) throw new ConnectorError(err.code, err.message);
    throw err;
  }
}

/**
 * The columns a query returns, from `SELECT * FROM (query) q LIMIT 0` in a read-only transaction.
 * Templates are bound as NULLs (describableQuery).
 */
export async function describeQuery(ctx: AnalyzeContext, query: string): Promise<QueryColumns> {
  const { text, values } = describableQuery(query);
  if (text === "") throw new ConnectorError("analysis-request", "the query is empty");
  return readOnly(ctx, "describing the query failed", "analysis-query", async (session) => {
    stats.statements++;
    // A named statement goes through the extended protocol: exactly one statement, so a `;` in the
    // text cannot smuggle a COMMIT or a write past the read-only transaction. The newline ends a
    // trailing `--` comment.
    const wrapped = `SELECT * FROM (${text}\n) AS agent_etl_q LIMIT 0`;
    const result = values.length === 0 ? await session.client.query({ name: "agent_etl_describe", text: wrapped }) : await queryStatement(session.client, { text: wrapped, values }, true);
    const fields = result.fields;
    if (fields.length === 0) return { kind: "query-columns", columns: [] };
    const types = await catalogQuery<{ sql_type: string; is_array: boolean }>(
      session,
      `SELECT format_type(f.oid, NULLIF(f.mod, -1)) AS sql_type, coalesce(t.typcategory = 'A', false) AS is_array
         FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS f(oid, mod, ord) LEFT JOIN pg_type t ON t.oid = f.oid ORDER BY f.ord`,
      [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
    );
    const columns: ColumnInfo[] = fields.map((f, i) => {
      const info = types[i];
      return { name: f.name, type: columnType(f.dataTypeID, info?.is_array ?? false), ...(info ? { sqlType: info.sql_type } : {}) };
    });
    return { kind: "query-columns", columns };
  });
}
