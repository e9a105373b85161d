/**
 * A lexer for PostgreSQL SQL text that knows only what decides where a template may stand: string
 * constants ('…', E'…' with backslash escapes, U&'…', B'…', X'…'), quoted identifiers ("…"),
 * dollar-quoted strings ($$…$$, $tag$…$tag$), comments (-- to the end of the line, nested /* *\/)
 * and the `;` between statements. Everything else is code. It follows PostgreSQL's scanner
 * (src/backend/parser/scan.l) with standard_conforming_strings on, the default since 9.1.
 */

export type SqlRegionKind = "code" | "string" | "quoted-identifier" | "dollar-quote" | "line-comment" | "block-comment";

export interface SqlRegion {
  kind: SqlRegionKind;
  /** Half-open `[start, end)` offsets into the text. */
  start: number;
  end: number;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const WORD_START = /[A-Za-z0-9_\u0080-\uffff]/;
const TAG_START = /[A-Za-z_\u0080-\uffff]/;
const TAG_CHAR = /[A-Za-z0-9_\u0080-\uffff]/;

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && IDENT_CHAR.test(ch);
}

/** The end of a '…' constant starting at the quote `at`; `escapes`: backslash escapes (E'…'). */
function stringEnd(text: string, at: number, escapes: boolean): number {
  let i = at + 1;
  while (i < text.length) {
    const ch = text[i];
    if (escapes && ch === "\\") i += 2;
    else if (ch === "'") {
      if (text[i + 1] === "'") i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

/** The end of a "…" identifier starting at `at` ("" is an escaped quote). */
function quotedIdentifierEnd(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length) {
    if (text[i] === '"') {
      if (text[i + 1] === '"') i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

/** The opening `$tag$` at `at`, or undefined when the `$` starts none (a parameter `$1`, a lone `$`). */
function dollarTag(text: string, at: number): string | undefined {
  let i = at + 1;
  if (text[i] === "$") return "$$";
  if (!TAG_START.test(text[i] ?? "")) return undefined;
  while (i < text.length && TAG_CHAR.test(text[i] as string)) i++;
  return text[i] === "$" ? text.slice(at, i + 1) : undefined;
}

/** The end of a /* … *\/ comment at `at`; PostgreSQL nests them. */
function blockCommentEnd(text: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < text.length) {
    if (text[i] === "/" && text[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (text[i] === "*" && text[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return text.length;
}

/** The non-code region that starts at `i`, if one does. */
function regionAt(text: string, i: number): SqlRegion | undefined {
  const ch = text[i];
  const next = text[i + 1];
  if (ch === "-" && next === "-") {
    let end = i + 2;
    while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
    return { kind: "line-comment", start: i, end };
  }
  if (ch === "/" && next === "*") return { kind: "block-comment", start: i, end: blockCommentEnd(text, i) };
  if (ch === "'") {
    // E'…' (and e'…') take backslash escapes; B'…', X'…', N'…', U&'…' do not.
    const prev = text[i - 1];
    const escapes = (prev === "E" || prev === "e") && !isIdentChar(text[i - 2]);
    return { kind: "string", start: i, end: stringEnd(text, i, escapes) };
  }
  if (ch === '"') return { kind: "quoted-identifier", start: i, end: quotedIdentifierEnd(text, i) };
  if (ch === "$" && !isIdentChar(text[i - 1])) {
    const tag = dollarTag(text, i);
    if (tag === undefined) return undefined;
    const close = text.indexOf(tag, i + tag.length);
    return { kind: "dollar-quote", start: i, end: close < 0 ? text.length : close + tag.length };
  }
  return undefined;
}

/** The text cut into regions, in order, covering it whole. */
export function lexSql(text: string): SqlRegion[] {
  const regions: SqlRegion[] = [];
  let codeStart = 0;
  let i = 0;
  while (i < text.length) {
    // A word (identifier, keyword, number) runs on through `$`: in `a$b$` no dollar quote starts.
    if (WORD_START.test(text[i] as string)) {
      i++;
      while (i < text.length && isIdentChar(text[i])) i++;
      continue;
    }
    const region = regionAt(text, i);
    if (!region) {
      i++;
      continue;
    }
    if (region.start > codeStart) regions.push({ kind: "code", start: codeStart, end: region.start });
    regions.push(region);
    i = codeStart = region.end;
  }
  if (codeStart < text.length) regions.push({ kind: "code", start: codeStart, end: text.length });
  return regions;
}

/** The kind of region holding offset `at` (for a span, its start). */
export function regionKindAt(regions: readonly SqlRegion[], at: number): SqlRegionKind {
  let lo = 0;
  let hi = regions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = regions[mid] as SqlRegion;
    if (at < r.start) hi = mid - 1;
    else if (at >= r.end) lo = mid + 1;
    else return r.kind;
  }
  return "code";
}

/** The statements of a text: spans between top-level `;` in code, those holding only blanks and comments left out. */
export function splitStatements(text: string, regions: readonly SqlRegion[] = lexSql(text)): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  let parens = 0;
  let content = false;
  for (const r of regions) {
    if (r.kind === "line-comment" || r.kind === "block-comment") continue;
    if (r.kind !== "code") {
      content = true;
      continue;
    }
    for (let i = r.start; i < r.end; i++) {
      const ch = text[i] as string;
      if (ch === ";" && parens === 0) {
        if (content) out.push({ start, end: i });
        start = i + 1;
        content = false;
        continue;
      }
      if (ch === "(") parens++;
      else if (ch === ")") parens = Math.max(0, parens - 1);
      if (!content && !/\s/.test(ch)) content = true;
    }
  }
  if (content) out.push({ start, end: text.length });
  return out;
}

/** The first keyword of a statement, upper-cased, skipping comments and opening parentheses. */
export function leadingKeyword(text: string, span: { start: number; end: number }, regions: readonly SqlRegion[]): string {
  for (const r of regions) {
    if (r.end <= span.start || r.start >= span.end) continue;
    if (r.kind === "line-comment" || r.kind === "block-comment") continue;
    if (r.kind !== "code") return "";
    const body = text.slice(Math.max(r.start, span.start), Math.min(r.end, span.end));
    const m = /^[\s(]*([A-Za-z_]+)/.exec(body);
    if (m) return (m[1] as string).toUpperCase();
    if (body.trim().replace(/\(/g, "") !== "") return "";
  }
  return "";
}
