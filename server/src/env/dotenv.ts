/**
 * The one `.env` parser: the runner resolves values with it, the editor takes the names from it, so
 * a name the editor counts as defined is one a run can resolve.
 */
import { existsSync, readFileSync } from "node:fs";

/**
 * `NAME=…`, optionally after `export `: what both former parsers took for an entry. A name is any
 * run of non-blanks (Node's parser let `${env:my-key}` resolve from a `.env`); `#` starts a comment.
 */
const ENTRY = /^\s*(?:export\s+)?([^\s=#][^\s=]*)\s*=\s*(.*)$/;
const QUOTES = ["\"", "'", "`"];

/** A quoted value that ends on this line or a later one; undefined when its quote never closes. */
function quoted(rest: string, lines: readonly string[], at: number): { value: string; next: number } | undefined {
  const quote = rest[0] as string;
  let text = rest.slice(1);
  for (let i = at; ; ) {
    const close = text.indexOf(quote);
    if (close >= 0) {
      const raw = text.slice(0, close);
      return { value: quote === "\"" ? raw.replace(/\\n/g, "\n") : raw, next: i + 1 };
    }
    i++;
    if (i >= lines.length) return undefined;
    text += `\n${lines[i]}`;
  }
}

/**
 * Node's dotenv grammar (the CLI's parser until now): `#` comments, `export `, values in single,
 * double or back quotes (which may span lines; `\n` in double quotes is a newline), an unquoted
 * value ends at `#`. Keys as the editor took them: any spacing around `export` and `=`. A later
 * entry wins.
 */
export function parseDotenv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; ) {
    const m = ENTRY.exec(lines[i] as string);
    if (!m) {
      i++;
      continue;
    }
    const [, name, rest] = m as unknown as [string, string, string];
    const q = QUOTES.includes(rest[0] ?? "") ? quoted(rest, lines, i) : undefined;
    if (q) {
      vars.set(name, q.value);
      i = q.next;
    } else {
      const hash = rest.indexOf("#");
      vars.set(name, (hash >= 0 ? rest.slice(0, hash) : rest).trim());
      i++;
    }
  }
  return vars;
}

/** The names a `.env` text defines that `${env:NAME}` can refer to. */
export function dotenvNames(text: string): string[] {
  return [...parseDotenv(text).keys()];
}

/** A `.env` file's variables; none when it is absent or unreadable. */
export function readDotenvFile(path: string): Map<string, string> {
  if (!existsSync(path)) return new Map();
  try {
    return parseDotenv(readFileSync(path, "utf8"));
  } catch {
    return new Map();
  }
}
