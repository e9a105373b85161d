/**
 * Table names as written in a pipeline (`schema.table` or `table`, optionally with double-quoted
 * parts such as `"my.schema"."Order Items"`). Names are taken exactly as written (case kept) and
 * always quoted in SQL, so they never change meaning and never carry SQL.
 */
import { ConnectorError } from "../../errors";

export interface TableName {
  schema?: string;
  name: string;
}

/** `"a""b"`: a PostgreSQL quoted identifier. */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new ConnectorError("postgres-identifier", `identifier ${JSON.stringify(name)} holds a NUL character; rename it`);
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(table: TableName): string {
  return table.schema === undefined ? quoteIdent(table.name) : `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** A name for people (messages): `schema.table`. */
export function displayName(table: TableName): string {
  return table.schema === undefined ? table.name : `${table.schema}.${table.name}`;
}

function splitParts(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let part = "";
      i++;
      for (;;) {
        if (i >= text.length) throw badName(text);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      parts.push(part);
    } else {
      const dot = text.indexOf(".", i);
      const end = dot === -1 ? text.length : dot;
      parts.push(text.slice(i, end).trim());
      i = end;
    }
    if (i < text.length) {
      if (text[i] !== ".") throw badName(text);
      i++;
      if (i === text.length) throw badName(text);
    }
  }
  return parts;
}

function badName(text: string): ConnectorError {
  return new ConnectorError(
    "postgres-table-name",
    `table name ${JSON.stringify(text)} is not \`schema.table\` or \`table\`; quote parts holding dots with double quotes, e.g. "my.schema".orders`,
  );
}

export function parseTableName(text: string | undefined): TableName {
  if (text === undefined || text.trim() === "") throw new ConnectorError("postgres-table-name", "the step names no `table`; set `table: schema.table`");
  const parts = splitParts(text.trim());
  if (parts.length === 1 && parts[0]) return { name: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], name: parts[1] };
  throw badName(text);
}
