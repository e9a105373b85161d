/**
 * The grammar of an `aggregate` metric (`count()`, `sum(col)`, `min(col)`, `max(col)`, `avg(col)`),
 * in one place: the JSON Schema's pattern, the language server's column references and the runner
 * read it from here, so they can never disagree on what a metric is (`count( )` is one).
 */

export const METRIC_FUNCTIONS = ["count", "sum", "min", "max", "avg"] as const;
export type MetricFunction = (typeof METRIC_FUNCTIONS)[number];

/** For the JSON Schema (ECMAScript syntax); `parseMetric` accepts exactly the same texts. */
export const METRIC_PATTERN = "^\\s*(count\\(\\s*\\)|(sum|min|max|avg)\\(\\s*[^()\\s]+\\s*\\))\\s*$";

const METRIC = new RegExp(METRIC_PATTERN, "u");

export interface ParsedMetric {
  fn: MetricFunction;
  /** The column a metric other than `count()` reads. */
  column?: string;
  /** Offset of `column` in the text. */
  columnOffset?: number;
}

export function parseMetric(text: string): ParsedMetric | undefined {
  const m = METRIC.exec(text);
  if (!m) return undefined;
  if (m[2] === undefined) return { fn: "count" };
  const open = text.indexOf("(");
  const column = text.slice(open + 1, text.indexOf(")", open)).trim();
  return { fn: m[2] as MetricFunction, column, columnOffset: text.indexOf(column, open) };
}
