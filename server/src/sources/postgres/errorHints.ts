/**
 * What to tell the user to fix after a PostgreSQL error. The same SQLSTATE needs different advice
 * depending on what failed: a missing table is for a load's `create: true` to make, but is a typo
 * in an extract's `query` or a `sql` step; a value of the wrong type is for a `cast` transform
 * when records are loaded, but comes from a template (`--param`) or `incremental.initial` in
 * an extract, and from the SQL itself in a `sql` step.
 */

/** What the caller was doing when PostgreSQL failed. */
export type PgErrorContext = "connect" | "load" | "extract-table" | "extract-query" | "sql-step" | "analysis-catalog" | "analysis-query";

/** Advice that does not depend on the context: the connection's settings, privileges, syntax. */
const COMMON: Record<string, string> = {
  "28P01": "check the connection's user and password",
  "28000": "check the connection's user, password and the server's pg_hba.conf",
  "3D000": "check the connection's database name",
  "42P01": "check the table name",
  "42703": "check the column names",
  "42501": "grant the connection's user the needed privileges, or use another user",
  "3F000": "check the schema name, or create the schema",
  "42601": "fix the SQL syntax",
  "25006": "the server only allows reads (a standby?); use a connection to the primary",
  // Class 22, data exceptions (bad input syntax, out of range, division by zero …).
  "22": "a value does not fit its type",
};

const TEMPLATE_VALUES = "check the values its templates insert (`--param`, `params:`, `{{ ds }}`) or cast in the SQL";

/** Per context, advice that replaces the common one (`"22"` stands for the whole class 22). */
const BY_CONTEXT: Record<PgErrorContext, Record<string, string>> = {
  connect: {},
  load: {
    "42P01": "check the table name, or let the load create it with `create: true`",
    "42703": "check the column names: the records and the table must agree (use `select`/`rename` transforms)",
    "23505": "the rows break a unique constraint; use `mode: merge` with `key`, or `dedupe` the records",
    "23502": "a required column got no value; fill it with a `derive` or `filter` transform",
    "22": "a value does not fit its column's type; add a `cast` transform or fix the data",
  },
  "extract-table": {
    "42P01": "check the extract's `table` (and the connection's `schema`)",
    "42703": "check `columns` and `incremental.column`: each must be a column of the table",
    "25006": "an extract only reads; run statements that write in a `sql` step",
    "22": "a value does not fit its type (a view computing it?); with `incremental`, `incremental.initial` must be a value of the column's type",
  },
  "extract-query": {
    "42P01": "check the table names in the extract's `query`",
    "42703": "check the column names in the extract's `query`, and that `columns` and `incremental.column` are columns it returns",
    "25006": "an extract only reads; run statements that write in a `sql` step",
    "22": `a value in the extract's \`query\` does not fit its type; ${TEMPLATE_VALUES}; \`incremental.initial\` must fit the column's type`,
  },
  "sql-step": {
    "42P01": "check the table names in the `sql` step's query; a table another step creates must be created before this step runs (`depends_on`)",
    "42703": "check the column names in the `sql` step's query",
    "23505": "the statement breaks a unique constraint; change the rows it writes (e.g. ON CONFLICT)",
    "23502": "the statement leaves a required column without a value",
    "22": `a value in the \`sql\` step's query does not fit its type; ${TEMPLATE_VALUES}`,
  },
  "analysis-catalog": {},
  "analysis-query": {
    "42P01": "check the table names in the query",
    "42703": "check the column names in the query",
    "25006": "an extract only reads; run statements that write in a `sql` step",
    // describeQuery renders every `{{ params.NAME }}` as '' (its columns do not depend on values).
    "22": "a value in the query does not fit its type; to describe a query, analysis binds NULL in place of each template, so check the literals written in the SQL itself",
  },
};

/** The advice for a SQLSTATE in a context, if we have any. */
export function hintFor(code: string, context: PgErrorContext): string | undefined {
  const own = BY_CONTEXT[context];
  const cls = code.startsWith("22") ? "22" : undefined;
  return own[code] ?? (cls !== undefined ? own[cls] : undefined) ?? COMMON[code] ?? (cls !== undefined ? COMMON[cls] : undefined);
}
