/**
 * The `sql` step: runs a `{connection, query}` in PostgreSQL. Without templates the text runs as one
 * simple-protocol request, so several statements without their own BEGIN/COMMIT run all-or-nothing.
 * With templates, the statements run one by one with their values bound (sqlTemplates.ts), inside
 * one transaction when there are several.
 */
import type { z } from "zod";
import type { SqlSchema } from "../../pipeline/model";
import { planSqlStatements, SqlTemplateError, type SqlStatement } from "../../pipeline/sqlTemplates";
import { TemplateError } from "../../pipeline/templates";
import { ConnectorError } from "../../errors";
import type { SourceContext } from "../types";
import { connectionSecrets, killClient, openClient, type PostgresConnection } from "./client";
import { queryStatement } from "./bound";
import { toConnectorError } from "./errors";

export interface SqlRequest extends SourceContext {
  sql: z.output<typeof SqlSchema>;
}

export interface SqlResult {
  /** Rows affected (or returned) by the last statement, when PostgreSQL reports it. */
  rowCount: number | null;
}

export async function runSqlStep(request: SqlRequest): Promise<SqlResult> {
  let statements: SqlStatement[];
  try {
    statements = planSqlStatements(request.sql.query, request.templates);
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    if (err instanceof SqlTemplateError) throw new ConnectorError(err.code, err.message);
    throw err;
  }
  const secrets = connectionSecrets(request.connection as PostgresConnection, request.secrets);
  const client = await openClient({ connection: request.connection, secrets, signal: request.signal });
  const onAbort = () => killClient(client, request.logger);
  request.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const last = await runStatements(client, statements);
    return { rowCount: last?.rowCount ?? null };
  } catch (err: unknown) {
    if (request.signal.aborted) throw new ConnectorError("aborted", "the sql step was stopped", false, { cause: err });
    throw toConnectorError(err, "the sql step failed", secrets, "sql-step");
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    await client.end().catch(() => undefined);
  }
}

/** Runs the statements, several in one transaction; the result of the last. */
async function runStatements(client: Awaited<ReturnType<typeof openClient>>, statements: SqlStatement[]): Promise<{ rowCount: number | null } | undefined> {
  if (statements.length === 1) {
    const result: unknown = await queryStatement(client, statements[0] as SqlStatement, false);
    return (Array.isArray(result) ? result[result.length - 1] : result) as { rowCount: number | null } | undefined;
  }
  await client.query("BEGIN");
  try {
    let last: { rowCount: number | null } | undefined;
    for (const statement of statements) last = await queryStatement(client, statement, true);
    await client.query("COMMIT");
    return last;
  } catch (err: unknown) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
