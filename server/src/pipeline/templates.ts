/**
 * `{{ ds }}`, `{{ ds_nodash }}`, `{{ ts }}`, `{{ ts_nodash }}`, `{{ run_id }}`, `{{ params.NAME }}` templates. In SQL a template
 * is a value, never SQL: see sqlTemplates.ts (docs/pipeline-spec.md, "Templates").
 */
export type TemplateScalar = string | number | boolean | null;

export interface TemplateValues {
  ds: string;
  ds_nodash: string;
  /** The logical date and time, as Airflow writes its `ts`: `2024-01-31T05:00:00+00:00`. */
  ts: string;
  /** `ts` as Airflow writes its `ts_nodash`: `20240131T050000` (UTC). */
  ts_nodash: string;
  run_id: string;
  params: Record<string, TemplateScalar>;
}

/** A template, its variable in group 1 (global: use with matchAll or replace). */
export const TEMPLATE_PATTERN = /\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g;

export class TemplateError extends Error {
  constructor(readonly variable: string) {
    super(`unknown template variable \`${variable}\`; use ds, ds_nodash, ts, ts_nodash, run_id or params.NAME`);
  }
}

/** `2024-01-31T05:00:00+00:00`: an instant as Airflow renders `{{ ts }}` (UTC, seconds). */
export function airflowTs(at: Date): string {
  return `${at.toISOString().slice(0, 19)}+00:00`;
}

/** `{{ ts }}` at midnight (UTC) of a logical date `YYYY-MM-DD`. */
export const midnightTs = (ds: string) => `${ds}T00:00:00+00:00`;

/** The date and time templates of one logical instant: `ds` (given, or the UTC date of `ts`) and `ts`. */
export function logicalTemplates(ts: string, ds?: string): Pick<TemplateValues, "ds" | "ds_nodash" | "ts" | "ts_nodash"> {
  const utc = new Date(ts).toISOString();
  const day = ds ?? utc.slice(0, 10);
  return { ds: day, ds_nodash: day.replace(/-/g, ""), ts, ts_nodash: `${utc.slice(0, 10).replace(/-/g, "")}T${utc.slice(11, 19).replace(/:/g, "")}` };
}

export function templateValue(name: string, values: TemplateValues): TemplateScalar {
  if (name === "ds" || name === "ds_nodash" || name === "ts" || name === "ts_nodash" || name === "run_id") return values[name];
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
