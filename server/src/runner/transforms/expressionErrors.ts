/**
 * JSONata's type errors, said in terms of the pipeline. JSONata names the operator and position in
 * the error, but an `and`/`or` overwrites both with its own when its right side fails (jsonata 2.x
 * `evaluateBinary`), so `status = 'paid' and amount > 0` on text "10.5" blamed operator "and".
 * Here the failing comparison or arithmetic is found again in the expression's tree, from the
 * values the error carries, and quoted with the fix: cast the text column, or `$number(...)` it.
 */
import { nameText, printAst } from "../../pipeline/columns/printExpression";
import { fieldReader } from "../../pipeline/ownKeys";
import type { DataRecord } from "../../sources/types";

interface Ast {
  type: string;
  value?: unknown;
  position?: number;
  steps?: Ast[];
  lhs?: Ast;
  rhs?: Ast;
  expression?: Ast;
  expressions?: Ast[];
  arguments?: Ast[];
  procedure?: Ast;
  condition?: Ast;
  then?: Ast;
  else?: Ast;
}

/** The fields of a JSONata evaluation error this reads. */
export interface JsonataFailure {
  code?: string;
  token?: string;
  position?: number;
  value?: unknown;
  value2?: unknown;
  message?: string;
}

const COMPARE = new Set(["<", "<=", ">", ">="]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%"]);
/** The operators each type error comes from: T2001/T2002 left/right side of arithmetic, T2009/T2010 ordering comparisons. */
const SIDES: Record<string, { ops: ReadonlySet<string>; side?: "lhs" | "rhs" }> = {
  T2001: { ops: ARITHMETIC, side: "lhs" },
  T2002: { ops: ARITHMETIC, side: "rhs" },
  T2009: { ops: COMPARE },
  T2010: { ops: COMPARE },
};

/** The column a path names when it is a single field (`amount`), else undefined. */
function columnOf(node: Ast | undefined): string | undefined {
  if (node?.type !== "path" || node.steps?.length !== 1) return undefined;
  const step = node.steps[0];
  return step?.type === "name" && typeof step.value === "string" ? step.value : undefined;
}

/** A literal's value or a single column's value in `record`; `known: false` when it takes evaluating. */
function operandValue(node: Ast | undefined, record: DataRecord): { known: boolean; value?: unknown } {
  if (node?.type === "number" || node?.type === "string" || node?.type === "value") return { known: true, value: node.value };
  const column = columnOf(node);
  return column !== undefined ? { known: true, value: fieldReader(column)(record) } : { known: false };
}

function binaries(node: Ast | undefined, ops: ReadonlySet<string>, out: Ast[], depth = 0): Ast[] {
  if (!node || depth > 200) return out;
  if (node.type === "binary" && ops.has(String(node.value))) out.push(node);
  for (const child of [node.lhs, node.rhs, node.expression, node.condition, node.then, node.else, ...(node.steps ?? []), ...(node.expressions ?? []), ...(node.arguments ?? [])]) {
    binaries(child, ops, out, depth + 1);
  }
  return out;
}

function matches(node: Ast, err: JsonataFailure, record: DataRecord, side: "lhs" | "rhs" | undefined): boolean {
  const l = operandValue(node.lhs, record);
  const r = operandValue(node.rhs, record);
  if (side) return (side === "lhs" ? l : r).known && (side === "lhs" ? l : r).value === err.value;
  // T2010 carries only the value that cannot be ordered, of either side; T2009 both, in order.
  if (err.code === "T2010") return (l.known && l.value === err.value) || (r.known && r.value === err.value);
  return (!l.known || l.value === err.value) && (!r.known || r.value === err.value2) && (l.known || r.known);
}

/** The operator node that failed: at the error's position, or, when an `and`/`or` took the blame, inside it. */
function failingNode(ast: Ast, err: JsonataFailure, record: DataRecord): Ast | undefined {
  const kind = err.code ? SIDES[err.code] : undefined;
  if (!kind) return undefined;
  const candidates = binaries(ast, kind.ops, []);
  const exact = candidates.find((n) => n.position === err.position && n.value === err.token);
  if (exact) return exact;
  return candidates.find((n) => matches(n, err, record, kind.side)) ?? (candidates.length === 1 ? candidates[0] : undefined);
}

function shown(value: unknown): string {
  if (typeof value === "string") return `text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}…` : value)}`;
  if (typeof value === "bigint") return `the exact integer ${value} (beyond 2^53)`;
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (value === null) return "null";
  return Array.isArray(value) ? "a list" : "an object";
}

/** The hint for a column that holds text (or an untyped exact integer) where a number is needed. */
function columnHint(node: Ast, record: DataRecord): string {
  for (const side of [node.lhs, node.rhs]) {
    const column = columnOf(side);
    if (column === undefined) continue;
    const value = fieldReader(column)(record);
    const name = nameText(column);
    if (typeof value === "string") return `; column \`${column}\` is text here: \`cast: {${column}: number}\` (or \`decimal\`) before this op, or write \`$number(${name})\``;
    if (typeof value === "bigint") return `; column \`${column}\` is untyped here: \`cast: {${column}: number}\` before this op`;
  }
  return "; JSONata compares and computes only numbers with numbers and text with text: convert one side with `$number(…)` or `$string(…)`";
}

/**
 * A message for a JSONata type error that quotes the failing sub-expression and says how to fix
 * it; undefined when the error is not a type error (the caller keeps JSONata's message).
 * `record` is what the expression was evaluated against (its evaluation view).
 */
export function explainTypeError(ast: unknown, err: JsonataFailure, record: DataRecord): string | undefined {
  const node = failingNode(ast as Ast, err, record);
  if (!node) return undefined;
  const op = String(node.value);
  const what = !COMPARE.has(op)
    ? `needs numbers on both sides of \`${op}\` but has ${shown(err.value)}`
    : err.code === "T2010"
      ? `orders ${shown(err.value)}, which JSONata cannot order (only numbers and text)`
      : `compares ${shown(err.value)} with ${shown(err.value2)}`;
  return `\`${printAst(node)}\` ${what}${columnHint(node, record)}`;
}
