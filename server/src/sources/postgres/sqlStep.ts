/**
 * The `sql` step: runs a `{connection, query}` in PostgreSQL. Templates become quoted literals;
 * the text runs as one simple-protocol request, so several statements without their own
 * BEGIN/COMMIT run all-or-nothing.
 */
import type { z } from "zod";
import type { SqlSchema } from "../../pipeline/model";
import { renderSqlTemplate, TemplateError } from "../../pipeline/templates";
import { ConnectorError } from "../../errors";
import type { SourceContext } from "../types";
import { connectionSecrets, killClient, openClient, type PostgresConnection } from "./client";
import { toConnectorError } from "./errors";

export interface SqlRequest extends SourceContext {
  sql: z.output<typeof SqlSchema>;
}

export interface SqlResult {
  /** Rows affected (or returned) by the last statement, when PostgreSQL reports it. */
  rowCount: number | null;
}

export async function runSqlStep(request: SqlRequest): Promise<SqlResult> {
  let text: string;
  try {
    text = renderSqlTemplate(request.sql.query, request.templates);
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    throw err;
  }
  const secrets = connectionSecrets(request.connection as PostgresConnection, request.secrets);
  const client = await openClient({ connection: request.connection, secrets, signal: request.signal });
  const onAbort = () => killClient(client, request.logger);
  request.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await client.query(text);
    const last = Array.isArray(result) ? (result[result.length - 1] as { rowCount: number | null } | undefined) : result;
    return { rowCount: last?.rowCount ?? null };
  } catch (err: unknown) {
    if (request.signal.aborted) throw new ConnectorError("aborted", "the sql step was stopped", false, { cause: err });
    throw toConnectorError(err, "the sql step failed", secrets, "sql-step");
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    await client.end().catch(() => undefined);
  }
}
