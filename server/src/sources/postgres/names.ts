/**
 * Table names as written in a pipeline (`schema.table` or `table`, optionally with double-quoted
 * parts such as `"my.schema"."Order Items"`). Names are taken exactly as written (case kept) and
 * always quoted in SQL, so they never change meaning and never carry SQL.
 */
import { ConnectorError } from "../../errors";
import { splitTableName, tooLongMessage, type TableName } from "../../pipeline/tableName";

export type { TableName };

/** `"a""b"`: a PostgreSQL quoted identifier. */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new ConnectorError("postgres-identifier", `identifier ${JSON.stringify(name)} holds a NUL character; rename it`);
  // Sent longer, PostgreSQL would cut it to 63 bytes without a word: two names could become one table.
  const tooLong = tooLongMessage("the name", name);
  if (tooLong) throw new ConnectorError("postgres-identifier", tooLong);
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(table: TableName): string {
  return table.schema === undefined ? quoteIdent(table.name) : `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** A name for people (messages): `schema.table`. */
export function displayName(table: TableName): string {
  return table.schema === undefined ? table.name : `${table.schema}.${table.name}`;
}

function badName(text: string): ConnectorError {
  return new ConnectorError(
    "postgres-table-name",
    `table name ${JSON.stringify(text)} is not \`schema.table\` or \`table\`; quote parts holding dots with double quotes, e.g. "my.schema".orders`,
  );
}

export function parseTableName(text: string | undefined): TableName {
  if (text === undefined || text.trim() === "") throw new ConnectorError("postgres-table-name", "the step names no `table`; set `table: schema.table`");
  const table = splitTableName(text);
  if (!table) throw badName(text);
  return table;
}
