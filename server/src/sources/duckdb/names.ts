/** Table names as written in a pipeline (`schema.table` or `table`), always quoted in DuckDB SQL. */
import { ConnectorError } from "../../errors";
import { splitTableName, type TableName } from "../../pipeline/tableName";

export type { TableName };

/** `"a""b"`: a quoted identifier. */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new ConnectorError("duckdb-identifier", `identifier ${JSON.stringify(name)} holds a NUL character; rename it`);
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(table: TableName): string {
  return table.schema === undefined ? quoteIdent(table.name) : `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** A name for people (messages): `schema.table`. */
export function displayName(table: TableName): string {
  return table.schema === undefined ? table.name : `${table.schema}.${table.name}`;
}

export function parseTableName(text: string | undefined): TableName {
  if (text === undefined || text.trim() === "") throw new ConnectorError("duckdb-table-name", "the step names no `table`; set `table: schema.table` or `table: name`");
  const table = splitTableName(text);
  if (!table) throw new ConnectorError("duckdb-table-name", `table name ${JSON.stringify(text)} is not \`schema.table\` or \`table\`; quote parts holding dots with double quotes, e.g. "my.schema".orders`);
  return table;
}
