/**
 * Templates in SQL are values, never SQL (docs/pipeline-spec.md, "Templates"). The text is lexed
 * (sqlLex.ts): a template in code becomes a bound parameter (`$n`), or — in a statement PostgreSQL
 * cannot take parameters in (DDL, utility statements) — an escaped string constant. A template inside
 * a string constant, a quoted identifier, a dollar-quoted body or a comment is refused: spliced
 * there, a quote, a newline or a `*\/` in its value would end the literal and run as SQL.
 */
import { leadingKeyword, lexSql, regionKindAt, splitStatements, type SqlRegion, type SqlRegionKind } from "./sqlLex";
import { TEMPLATE_PATTERN, templateValue, type TemplateScalar, type TemplateValues } from "./templates";

export interface SqlTemplateUse {
  /** The variable, e.g. `params.day`. */
  name: string;
  /** Offsets of the whole `{{ … }}` in the SQL text. */
  start: number;
  end: number;
  /** Where it stands: only `code` is allowed. */
  region: SqlRegionKind;
}

/** Every template of a SQL text, with the region it stands in. */
export function sqlTemplateUses(sql: string, regions: readonly SqlRegion[] = lexSql(sql)): SqlTemplateUse[] {
  const uses: SqlTemplateUse[] = [];
  for (const m of sql.matchAll(TEMPLATE_PATTERN)) {
    const start = m.index ?? 0;
    uses.push({ name: m[1] ?? "", start, end: start + m[0].length, region: regionKindAt(regions, start) });
  }
  return uses;
}

const PLACES: Record<Exclude<SqlRegionKind, "code">, string> = {
  string: "inside a SQL string literal ('…')",
  "quoted-identifier": 'inside a quoted identifier ("…")',
  "dollar-quote": "inside a dollar-quoted string ($$…$$)",
  "line-comment": "inside a SQL comment (--)",
  "block-comment": "inside a SQL comment (/* … */)",
};

/** Why a template may not stand where it is, and the fix: shared by `validate` and the run. */
export function misplacedTemplateMessage(use: SqlTemplateUse): string {
  const t = `\`{{ ${use.name} }}\``;
  const place = PLACES[use.region as Exclude<SqlRegionKind, "code">];
  switch (use.region) {
    case "string":
      return `${t} is ${place}, where its value would be spliced into the SQL text. Write it without quotes: a template in SQL is passed to PostgreSQL as a bound value, e.g. \`name = {{ ${use.name} }}\`, or \`'%' || {{ ${use.name} }} || '%'\` to build a string`;
    case "quoted-identifier":
      return `${t} is ${place}: a template is a value and cannot name a table or column. Write the name itself`;
    case "dollar-quote":
      return `${t} is ${place}, where its value would be spliced into the body. Pass it as a value outside the body (e.g. as a function argument)`;
    default:
      return `${t} is ${place}: a newline or \`*/\` in its value would end the comment and run as SQL. Remove the template from the comment`;
  }
}

/** A template that stands in a literal or a comment; `code`: `template-in-sql-literal`. */
export class SqlTemplateError extends Error {
  readonly code = "template-in-sql-literal";
  constructor(readonly use: SqlTemplateUse) {
    super(misplacedTemplateMessage(use));
  }
}

/** The statements PostgreSQL accepts parameters in (those PREPARE takes). */
const PREPARABLE = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "WITH", "TABLE"]);

/** A statement ready to send: `values` bind `$1…` in `text` (none: send as a simple query). */
export interface SqlStatement {
  text: string;
  values: TemplateScalar[];
}

/** An escaped string constant, right whatever standard_conforming_strings is (E'…' doubles `\` and `'`). */
export function sqlStringConstant(value: TemplateScalar): string {
  if (value === null) return "NULL";
  const text = String(value);
  if (text.includes("\0")) throw new Error("a template value holds a NUL character, which PostgreSQL text cannot hold");
  return `E'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

function checkPlaces(uses: readonly SqlTemplateUse[]): void {
  for (const use of uses) if (use.region !== "code") throw new SqlTemplateError(use);
}

/**
 * `text[from, to)` with its templates replaced: by `$n` (`bind`, numbering from `first`; one
 * parameter per variable) or by escaped constants. Spaces around each keep it a token of its own.
 */
function fill(sql: string, from: number, to: number, uses: readonly SqlTemplateUse[], values: TemplateValues, bind: boolean, first: number): SqlStatement {
  let text = "";
  let last = from;
  const bound: TemplateScalar[] = [];
  const numbers = new Map<string, number>();
  for (const use of uses) {
    if (use.start < from || use.end > to) continue;
    const value = templateValue(use.name, values);
    text += sql.slice(last, use.start);
    if (bind) {
      let n = numbers.get(use.name);
      if (n === undefined) {
        n = first + bound.length;
        numbers.set(use.name, n);
        bound.push(value);
      }
      text += ` $${n} `;
    } else text += ` ${sqlStringConstant(value)} `;
    last = use.end;
  }
  return { text: text + sql.slice(last, to), values: bound };
}

/**
 * One SELECT (an extract's `query`, a query to describe) with its templates bound as `$first…`.
 * Throws a SqlTemplateError for a template in a literal or comment, a TemplateError for an unknown one.
 */
export function bindSelect(sql: string, values: TemplateValues, first = 1): SqlStatement {
  const uses = sqlTemplateUses(sql);
  checkPlaces(uses);
  return fill(sql, 0, sql.length, uses, values, true, first);
}

/**
 * A `sql` step's text as the statements to run. Without templates it is one text sent as is (one
 * simple query: several statements run all-or-nothing). With templates, each statement is sent on
 * its own (the caller wraps several in one transaction), its templates bound where PostgreSQL takes
 * parameters and written as escaped constants where it does not.
 */
export function planSqlStatements(sql: string, values: TemplateValues): SqlStatement[] {
  const regions = lexSql(sql);
  const uses = sqlTemplateUses(sql, regions);
  if (uses.length === 0) return [{ text: sql, values: [] }];
  checkPlaces(uses);
  return splitStatements(sql, regions).map((span) => {
    const own = uses.filter((u) => u.start >= span.start && u.end <= span.end);
    if (own.length === 0) return { text: sql.slice(span.start, span.end), values: [] };
    const bind = PREPARABLE.has(leadingKeyword(sql, span, regions));
    return fill(sql, span.start, span.end, own, values, bind, 1);
  });
}
