/**
 * Statements with template values bound as parameters (pipeline/sqlTemplates.ts). A parameter is
 * sent untyped, so PostgreSQL types it from where it stands (`day = $1` takes `day`'s type), as it
 * would a quoted literal. Where nothing gives it a type (`SELECT $1 AS day`) PostgreSQL refuses
 * (42P18); the statement is then sent again with every parameter typed `text`, which is what a
 * literal there would have been.
 */
import type pg from "pg";
import type { SqlStatement } from "../../pipeline/sqlTemplates";
import { typeParsers } from "./client";

const TEXT_OID = 25;
const INDETERMINATE_DATATYPE = "42P18";

function textTyped(text: string, values: unknown[]): pg.QueryConfig {
  // node-postgres sends a query's `types` array as the parameter OIDs of its Parse message, and
  // asks the same object for result parsers: it must answer both.
  const types = Object.assign(values.map(() => TEXT_OID), { getTypeParser: typeParsers.getTypeParser });
  return { text, values, types } as unknown as pg.QueryConfig;
}

function isIndeterminate(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === INDETERMINATE_DATATYPE;
}

/**
 * Runs one statement. Without values it goes as a simple query; with values through the extended
 * protocol. `inTransaction`: a failed attempt must not abort the caller's transaction, so the first
 * attempt runs under a savepoint.
 */
export async function queryStatement<R extends pg.QueryResultRow = pg.QueryResultRow>(client: pg.Client, statement: SqlStatement, inTransaction: boolean): Promise<pg.QueryResult<R>> {
  const { text, values } = statement;
  if (values.length === 0) return client.query<R>(text);
  if (inTransaction) await client.query("SAVEPOINT agent_etl_bind");
  try {
    const result = await client.query<R>(text, values);
    if (inTransaction) await client.query("RELEASE SAVEPOINT agent_etl_bind");
    return result;
  } catch (err: unknown) {
    if (!isIndeterminate(err)) throw err;
    if (inTransaction) await client.query("ROLLBACK TO SAVEPOINT agent_etl_bind");
    const result = await client.query<R>(textTyped(text, values));
    if (inTransaction) await client.query("RELEASE SAVEPOINT agent_etl_bind");
    return result;
  }
}
