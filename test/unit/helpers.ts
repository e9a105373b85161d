import assert from "node:assert/strict";
import { LineIndex } from "../../server/src/pipeline/positions";
import type { Problem } from "../../server/src/pipeline/problem";
import { validatePipeline } from "../../server/src/pipeline/validate";
import type { RuleContext } from "../../server/src/pipeline/rules";

/** Joins lines into YAML text (keeps indentation in tests readable). */
export function yaml(...lines: string[]): string {
  return lines.join("\n") + "\n";
}

export interface Located {
  code: string;
  severity: string;
  message: string;
  /** 1-based line:column of start and end, like an editor shows. */
  range: string;
  text: string;
}

export function locate(text: string, problems: readonly Problem[]): Located[] {
  const index = new LineIndex(text);
  return problems.map((p) => {
    const s = index.positionAt(p.span.start);
    const e = index.positionAt(p.span.end);
    return { code: p.code, severity: p.severity, message: p.message, range: `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1}`, text: text.slice(p.span.start, p.span.end) };
  });
}

export function check(text: string, context: RuleContext = { envNames: new Set() }): Located[] {
  return locate(text, validatePipeline(text, context).problems);
}

/**
 * Asserts exactly one problem with `code` exists and covers `l1:c1-l2:c2` (1-based); returns it.
 */
export function expectProblem(text: string, code: string, l1: number, c1: number, l2: number, c2: number, context?: RuleContext): Located {
  const found = check(text, context).filter((p) => p.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(check(text, context), null, 1)}`);
  const p = found[0] as Located;
  assert.equal(p.range, `${l1}:${c1}-${l2}:${c2}`, `range of ${code}: ${p.message}`);
  return p;
}

export function codes(text: string, context?: RuleContext): string[] {
  return check(text, context).map((p) => p.code);
}

/** A small valid pipeline to start tests from. */
export const VALID = yaml(
  "version: 1",
  "name: orders_daily",
  "connections:",
  "  raw:",
  "    type: file",
  "    root: ./data",
  "  out:",
  "    type: file",
  "steps:",
  "  - id: orders",
  "    extract:",
  "      connection: raw",
  "      path: orders.csv",
  "  - id: paid",
  "    depends_on: [orders]",
  "    transform:",
  "      - filter: status = 'paid'",
  "      - select: [id, amount]",
  "  - id: save",
  "    depends_on: [paid]",
  "    load:",
  "      connection: out",
  "      path: paid.jsonl",
);
