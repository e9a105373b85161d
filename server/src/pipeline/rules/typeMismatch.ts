/**
 * `type-mismatch`: a `filter`/`derive` expression that compares or computes text with a number
 * where the file alone shows the types differ: a CSV column before any `cast` (`amount > 0` on
 * "10.5" fails at run time; `amount = 0` is never true), or a numeric column compared with a
 * quoted number. Reported only when both types are known for certain.
 */
import type { ColumnType } from "../model";
import { fieldOf, nodeType, parseExpression, type AstNode } from "../columns/expression";
import { nameText, printAst } from "../columns/printExpression";
import { innerSpan } from "../columns/scalars";
import { isRestType, StaticTypes, typeOf, type StaticTypesMemo, type TypeEnv } from "../columns/staticTypes";
import type { Node } from "yaml";
import { problem, type Problem } from "../problem";
import type { Rule } from "./rule";

const COMPARISONS = new Set(["=", "!=", "<", "<=", ">", ">="]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%"]);
const NUMERIC = new Set<ColumnType>(["integer", "number", "decimal"]);

interface Side {
  node: AstNode;
  type: ColumnType | undefined;
  column?: string;
}

interface Found {
  text: string;
  valueNode: unknown;
  env: TypeEnv;
  out: Problem[];
}

function sideOf(node: AstNode | undefined, env: TypeEnv): Side | undefined {
  if (!node || Array.isArray(node)) return undefined;
  const first = node.type === "path" && node.steps?.length === 1 ? node.steps[0] : undefined;
  const column = first?.type === "name" && typeof first.value === "string" ? first.value : undefined;
  return { node, type: nodeType(node, (name) => typeOf(env, name)), ...(column !== undefined ? { column } : {}) };
}

function columnSpan(f: Found, side: Side) {
  const first = side.node.steps?.[0];
  const field = first ? fieldOf(f.text, first) : undefined;
  return field ? innerSpan(f.valueNode as Node, f.text, field.start, field.end - field.start) : innerSpan(f.valueNode as Node, f.text, 0, f.text.length);
}

function outcome(op: string): string {
  if (op === "=") return "is never true";
  if (op === "!=") return "is always true";
  return "fails at run time";
}

/** A text column where a number is needed (compared with one, or computed with). */
function textColumn(f: Found, node: AstNode, text: Side): void {
  const column = text.column as string;
  const op = String(node.value);
  const why = isRestType(f.env, column) && f.env.restWhy ? ` (${f.env.restWhy})` : "";
  const verb = COMPARISONS.has(op) ? `\`${printAst(node)}\` ${outcome(op)}: JSONata compares text only with text` : `\`${printAst(node)}\` fails at run time: JSONata computes only with numbers`;
  const message = `column \`${column}\` is text here${why}, so ${verb}; add \`cast: {${column}: number}\` (or \`decimal\`, to keep it exact) before this op, or write \`$number(${nameText(column)})\``;
  f.out.push(problem("type-mismatch", "warning", message, columnSpan(f, text), { suggestion: column }));
}

/** A numeric column compared with a quoted number (`amount = '10'`). */
function textLiteral(f: Found, node: AstNode, numeric: Side, literal: Side): void {
  const op = String(node.value);
  const message = `column \`${numeric.column}\` is ${numeric.type === "integer" ? "an integer" : `a ${numeric.type}`} here and ${printAst(literal.node)} is text, so \`${printAst(node)}\` ${outcome(op)}; write the number without quotes`;
  f.out.push(problem("type-mismatch", "warning", message, columnSpan(f, numeric)));
}

function checkBinary(f: Found, node: AstNode): void {
  const op = String(node.value);
  const l = sideOf(node.lhs as AstNode | undefined, f.env);
  const r = sideOf(node.rhs, f.env);
  if (!l || !r) return;
  const isText = (s: Side) => s.type === "string";
  const isNumber = (s: Side) => s.type !== undefined && NUMERIC.has(s.type);
  if (COMPARISONS.has(op)) {
    for (const [a, b] of [[l, r], [r, l]] as const) {
      if (!isText(a) || !isNumber(b)) continue;
      if (a.column !== undefined) return textColumn(f, node, a);
      if (b.column !== undefined && a.node.type === "string") return textLiteral(f, node, b, a);
    }
  } else if (ARITHMETIC.has(op)) {
    for (const s of [l, r]) if (isText(s) && s.column !== undefined) return textColumn(f, node, s);
  }
}

/** Operators evaluated against the record; paths (their steps, predicates) and lambdas have their own context. */
function walk(f: Found, node: AstNode | undefined, depth: number): void {
  if (!node || Array.isArray(node) || depth > 200) return;
  if (node.type === "binary") checkBinary(f, node);
  if (node.type === "path" || node.type === "lambda") return;
  for (const child of [node.lhs, node.rhs, node.expression, node.condition, node.then, node.else, ...(node.expressions ?? []), ...(node.arguments ?? [])]) {
    walk(f, child as AstNode | undefined, depth + 1);
  }
}

/** Kept between checks of the language server's incremental path (staticTypes.ts). */
const MEMO: StaticTypesMemo = new WeakMap();

export const typeMismatch: Rule = {
  code: "type-mismatch",
  check({ outline }) {
    const types = new StaticTypes(
      outline,
      (text, valueNode, env, out) => {
        if (env.rest === undefined && env.known.size === 0) return;
        const ast = parseExpression(text);
        if (ast) walk({ text, valueNode, env, out }, ast, 0);
      },
      MEMO,
    );
    for (const step of outline.steps) if (step.id && step.kinds[0]?.kind === "transform") types.output(step.id.name);
    return types.problems;
  },
};
