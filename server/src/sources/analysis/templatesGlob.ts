/** Keys and paths holding templates (`raw/{{ ds }}/*.csv`) are sampled through any value: each template becomes `*`. */
const TEMPLATE = /\{\{\s*[a-zA-Z_][\w.]*\s*\}\}/g;

export function templatesAsGlobs(pattern: string): string {
  return pattern.replace(TEMPLATE, "*");
}
