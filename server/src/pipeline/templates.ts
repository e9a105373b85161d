/**
 * `{{ ds }}`, `{{ ds_nodash }}`, `{{ run_id }}`, `{{ params.NAME }}` templates. In SQL, a template
 * value becomes a quoted literal, never raw SQL (docs/pipeline-spec.md, "Templates").
 */
export interface TemplateValues {
  ds: string;
  ds_nodash: string;
  run_id: string;
  params: Record<string, string | number | boolean | null>;
}

const TEMPLATE = /\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g;

export class TemplateError extends Error {
  constructor(readonly variable: string) {
    super(`unknown template variable \`${variable}\`; use ds, ds_nodash, run_id or params.NAME`);
  }
}

export function templateValue(name: string, values: TemplateValues): string | number | boolean | null {
  if (name === "ds" || name === "ds_nodash" || name === "run_id") return values[name];
  if (name.startsWith("params.")) {
    const key = name.slice("params.".length);
    if (Object.prototype.hasOwnProperty.call(values.params, key)) return values.params[key] ?? null;
  }
  throw new TemplateError(name);
}

/** Renders templates in plain text (paths, keys, HTTP query values). */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(TEMPLATE, (_m, name: string) => String(templateValue(name, values) ?? ""));
}

/** Quotes a value as a SQL string literal (standard_conforming_strings: quotes doubled). */
export function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return "NULL";
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** Renders templates in SQL text: each value becomes a quoted literal. */
export function renderSqlTemplate(sql: string, values: TemplateValues): string {
  return sql.replace(TEMPLATE, (_m, name: string) => sqlLiteral(templateValue(name, values)));
}

/** Template variable names used in a text (for validation and completion). */
export function templateNames(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1] ?? "");
}
