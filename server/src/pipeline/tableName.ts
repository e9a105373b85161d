/**
 * Table names as written in a pipeline: `schema.table` or `table`, parts optionally double-quoted
 * (`"my.schema"."Order Items"`, `""` for a quote inside). Names are taken exactly as written.
 */
export interface TableName {
  schema?: string;
  name: string;
}

/** PostgreSQL keeps only the first 63 bytes of a name (NAMEDATALEN - 1) and drops the rest silently. */
const MAX_IDENTIFIER_BYTES = 63;

const UTF8 = new TextEncoder();

/** The length of a name in UTF-8 bytes, which is what PostgreSQL's limit counts. */
function identifierBytes(name: string): number {
  return UTF8.encode(name).length;
}

/** The quoted part starting at `text[at]`, and where it ends; undefined when it is not closed. */
function quotedPart(text: string, at: number): { part: string; end: number } | undefined {
  let part = "";
  let i = at + 1;
  while (i < text.length) {
    if (text[i] === '"') {
      if (text[i + 1] !== '"') return { part, end: i + 1 };
      part += '"';
      i += 2;
    } else part += text[i++];
  }
  return undefined;
}

function splitParts(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const quoted = quotedPart(text, i);
      if (!quoted) return undefined;
      parts.push(quoted.part);
      i = quoted.end;
    } else {
      const dot = text.indexOf(".", i);
      const end = dot === -1 ? text.length : dot;
      parts.push(text.slice(i, end).trim());
      i = end;
    }
    if (i < text.length) {
      if (text[i] !== ".") return undefined;
      i++;
      if (i === text.length) return undefined;
    }
  }
  return parts;
}

/** The parts of a table name, or undefined when the text is not `schema.table` or `table`. */
export function splitTableName(text: string): TableName | undefined {
  const parts = splitParts(text.trim());
  if (!parts) return undefined;
  if (parts.length === 1 && parts[0]) return { name: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], name: parts[1] };
  return undefined;
}

/** Why a name cannot be used as written, when it is longer than PostgreSQL keeps. */
export function tooLongMessage(what: string, name: string): string | undefined {
  const bytes = identifierBytes(name);
  if (bytes <= MAX_IDENTIFIER_BYTES) return undefined;
  return `${what} \`${name.length > 80 ? `${name.slice(0, 40)}…${name.slice(-20)}` : name}\` is ${bytes} bytes long; PostgreSQL keeps only the first ${MAX_IDENTIFIER_BYTES} bytes of a name, so two names that start alike would become one. Shorten it to ${MAX_IDENTIFIER_BYTES} bytes or fewer`;
}
