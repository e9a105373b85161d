/**
 * `{{ ds }}`, `{{ ds_nodash }}`, `{{ run_id }}`, `{{ params.NAME }}` templates. In SQL a template
 * is a value, never SQL: see sqlTemplates.ts (docs/pipeline-spec.md, "Templates").
 */
export type TemplateScalar = string | number | boolean | null;

export interface TemplateValues {
  ds: string;
  ds_nodash: string;
  run_id: string;
  params: Record<string, TemplateScalar>;
}

/** A template, its variable in group 1 (global: use with matchAll or replace). */
export const TEMPLATE_PATTERN = /\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g;

export class TemplateError extends Error {
  constructor(readonly variable: string) {
    super(`unknown template variable \`${variable}\`; use ds, ds_nodash, run_id or params.NAME`);
  }
}

export function templateValue(name: string, values: TemplateValues): TemplateScalar {
  if (name === "ds" || name === "ds_nodash" || name === "run_id") return values[name];
  if (name.startsWith("params.")) {
    const key = name.slice("params.".length);
    if (Object.prototype.hasOwnProperty.call(values.params, key)) return values.params[key] ?? null;
  }
  throw new TemplateError(name);
}

/** Renders templates in plain text (paths, keys, HTTP query values). */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(TEMPLATE_PATTERN, (_m, name: string) => String(templateValue(name, values) ?? ""));
}

/** Template variable names used in a text (for validation and completion). */
export function templateNames(text: string): string[] {
  return [...text.matchAll(TEMPLATE_PATTERN)].map((m) => m[1] ?? "");
}
