import jsonata from "jsonata";
import { problem, type Problem } from "../problem";
import { stepCheck, type Rule } from "./rule";

interface JsonataError {
  message?: string;
  position?: number;
  token?: string;
}

/** Parse results by expression text: the language server revalidates on every edit, and parsing is the costly part. */
const PARSED = new Map<string, { e: JsonataError; error: unknown } | null>();
const PARSED_LIMIT = 20_000;

function parseError(text: string): { e: JsonataError; error: unknown } | null {
  const known = PARSED.get(text);
  if (known !== undefined) return known;
  let result: { e: JsonataError; error: unknown } | null = null;
  try {
    jsonata(text);
  } catch (err: unknown) {
    result = { e: err as JsonataError, error: err };
  }
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(text, result);
  return result;
}

/** A `filter` or `derive` JSONata expression that does not parse. */
export const invalidExpression: Rule = {
  code: "invalid-expression",
  steps: stepCheck<null>({
    shared: () => null,
    same: () => true,
    step(step) {
      const problems: Problem[] = [];
      for (const expr of step.expressions) {
        if (expr.text.trim() === "") {
          problems.push(problem("invalid-expression", "error", `the ${expr.op} expression is empty; write a JSONata expression, e.g. \`amount > 0\``, expr.span));
          continue;
        }
        const failed = parseError(expr.text);
        if (failed) {
          const { e, error: err } = failed;
          const at = typeof e.position === "number" ? Math.max(0, Math.min(e.position - 1, expr.text.length)) : undefined;
          const plain = expr.span.start === expr.contentStart && expr.span.end - expr.span.start === expr.text.length;
          const quoted = expr.span.end - expr.span.start === expr.text.length + 2;
          const span =
            at !== undefined && (plain || quoted) ? { start: expr.contentStart + at, end: expr.contentStart + Math.min(at + Math.max(1, e.token?.length ?? 1), expr.text.length) } : expr.span;
          problems.push(problem("invalid-expression", "error", `invalid ${expr.op} expression: ${e.message ?? String(err)} (JSONata syntax, e.g. \`amount > 0 and status = "paid"\`)`, span));
        }
      }
      return problems;
    },
  }),
};
