/**
 * The `sql` step on DuckDB: the statements run in one transaction (all-or-nothing), templates bound
 * as parameters (pipeline/sqlTemplates.ts); `rows` is the last statement's count of changed rows.
 */
import { ConnectorError } from "../../errors";
import { planSqlStatements, SqlTemplateError, type SqlStatement } from "../../pipeline/sqlTemplates";
import { TemplateError } from "../../pipeline/templates";
import type { SourceContext } from "../types";
import { connectTo, databasePath, messageOf } from "./engine";

export async function runDuckdbSql(request: SourceContext & { query: string }): Promise<{ rows?: number }> {
  let statements: SqlStatement[];
  try {
    statements = planSqlStatements(request.query, request.templates);
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    if (err instanceof SqlTemplateError) throw new ConnectorError(err.code, err.message);
    throw err;
  }
  const connection = await connectTo(databasePath(request.connection, request.baseDir));
  const onAbort = () => connection.interrupt();
  request.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await connection.run("BEGIN TRANSACTION");
    let rows: number | undefined;
    // Without templates the text may hold several statements: DuckDB runs them all, in order.
    for (const statement of statements) rows = (statement.values.length > 0 ? await connection.run(statement.text, statement.values) : await connection.run(statement.text)).rowsChanged;
    await connection.run("COMMIT");
    return rows === undefined ? {} : { rows };
  } catch (err: unknown) {
    await connection.run("ROLLBACK").catch(() => undefined);
    if (request.signal.aborted) throw new ConnectorError("aborted", "the sql step was stopped", false, { cause: err });
    throw new ConnectorError("duckdb-sql", `the sql step failed (nothing it did was kept): ${messageOf(err)}`, false, { cause: err });
  } finally {
    request.signal.removeEventListener("abort", onAbort);
    connection.closeSync();
  }
}
