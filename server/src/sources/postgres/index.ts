/** The PostgreSQL connector: cursor extracts, COPY-based all-or-nothing loads, and `sql` steps. */
import type { Connector, SourceContext } from "../types";
import { closeOpenExtracts, extractPostgres } from "./extract";
import { loadPostgres } from "./load";
import { runSqlStep } from "./sqlStep";

export { runSqlStep, type SqlRequest, type SqlResult } from "./sqlStep";
export { LOADS_TABLE } from "./bookkeeping";

export interface PostgresConnector extends Connector {
  /** Runs a `sql` step's query (templates bound as values: pipeline/sqlTemplates.ts); `rows` is the last statement's row count. */
  runSql(request: SourceContext & { query: string }): Promise<{ rows?: number }>;
}

export const postgresConnector: PostgresConnector = {
  type: "postgres",
  extract: extractPostgres,
  load: loadPostgres,
  close: closeOpenExtracts,
  async runSql(request) {
    const { query, ...context } = request;
    const result = await runSqlStep({ ...context, sql: { connection: context.connectionName, query } });
    return result.rowCount === null ? {} : { rows: result.rowCount };
  },
};
