/**
 * The column names a CSV header gives, one rule for every reader (the runner's `csv.ts`, live
 * analysis's sample in `s3/infer.ts`) and for the writer's check of what it is about to write.
 *
 * Names are trimmed. An empty name (a trailing delimiter on every line is the common case) becomes
 * `column_N`, N its 1-based position, the name `header: false` gives that column, so no value is
 * lost and no column is called `""`. Two columns with one name cannot both be a record's keys, so
 * that is a problem, never a silent overwrite.
 */
import { ConnectorError } from "../../errors";

/** A column's name when the file has no header, or when the header leaves it empty. */
const positionalName = (index: number): string => `column_${index + 1}`;

/** The names `header: false` gives a row of `width` fields. */
export function positionalNames(width: number): string[] {
  return Array.from({ length: width }, (_, i) => positionalName(i));
}

/** Two or more columns end up with one name (positions 1-based, ascending). */
export interface HeaderClash {
  name: string;
  positions: number[];
  /** The header's text for each position, untrimmed ("" for the unnamed one). */
  raw: string[];
  /** The position left unnamed whose `column_N` name another column already has. */
  unnamed?: number;
}

/** The header's column names and the names more than one column has. */
export function headerColumns(row: readonly string[]): { columns: string[]; clashes: HeaderClash[] } {
  const columns = row.map((raw, i) => raw.trim() || positionalName(i));
  const at = new Map<string, number[]>();
  columns.forEach((name, i) => {
    const seen = at.get(name);
    if (seen) seen.push(i);
    else at.set(name, [i]);
  });
  const clashes: HeaderClash[] = [];
  for (const [name, indexes] of at) {
    if (indexes.length < 2) continue;
    const clash: HeaderClash = { name, positions: indexes.map((i) => i + 1), raw: indexes.map((i) => row[i] as string) };
    const unnamed = indexes.find((i) => (row[i] as string).trim() === "");
    if (unnamed !== undefined) clash.unnamed = unnamed + 1;
    clashes.push(clash);
  }
  return { columns, clashes };
}

function list(items: readonly (string | number)[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** One clash in words, e.g. "`id` twice (columns 1 and 2)". */
export function describeClash(clash: HeaderClash): string {
  if (clash.unnamed !== undefined) {
    const others = clash.positions.filter((p) => p !== clash.unnamed);
    return `column ${clash.unnamed} has no name, and \`${clash.name}\`, the name an unnamed column gets, is already the name of column${others.length > 1 ? "s" : ""} ${list(others)}`;
  }
  const times = clash.positions.length === 2 ? "twice" : `${clash.positions.length} times`;
  const spaced = new Set(clash.raw).size > 1 ? `, as ${list(clash.raw.map((r) => `\`${r}\``))}: spaces around a name do not count` : "";
  return `\`${clash.name}\` ${times} (columns ${list(clash.positions)}${spaced})`;
}

/**
 * The header's column names, or a `bad-record` error naming `where`, each clash with its column
 * positions, and the two ways out.
 */
export function csvColumns(row: readonly string[], where: string): string[] {
  const { columns, clashes } = headerColumns(row);
  if (clashes.length === 0) return columns;
  throw new ConnectorError(
    "bad-record",
    `${where}: the CSV header gives more than one column the same name, and a record cannot keep both values: ${clashes.map(describeClash).join("; ")}. ` +
      "Give every column its own name in the file, or read it with `csv: {header: false}` (columns `column_1`, `column_2`, …; " +
      "the header line then comes as the first record: drop it with a `filter`) and name the columns with a `rename` transform",
    false,
  );
}
