/**
 * JSONata expressions of `filter`/`derive`, read for columns: the record fields they name (with
 * offsets in the expression text) and, when it can be known, the type of the value they produce.
 */
import jsonata from "jsonata";
import type { ColumnType } from "../model";
import { typeIn, type ColumnSet } from "./types";

export interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  lhs?: AstNode | AstNode[][];
  rhs?: AstNode;
  expression?: AstNode;
  expressions?: AstNode[];
  arguments?: AstNode[];
  procedure?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  body?: AstNode;
}

export interface FieldUse {
  name: string;
  /** Offsets in the expression text, `[start, end)`, including backticks of a quoted name. */
  start: number;
  end: number;
}

const ASTS = new Map<string, AstNode | null>();
const ASTS_LIMIT = 20_000;

/** The parsed expression, or null when it does not parse (invalid-expression reports that). */
export function parseExpression(text: string): AstNode | null {
  const known = ASTS.get(text);
  if (known !== undefined) return known;
  let ast: AstNode | null;
  try {
    ast = jsonata(text).ast() as AstNode;
  } catch {
    ast = null;
  }
  if (ASTS.size >= ASTS_LIMIT) ASTS.clear();
  ASTS.set(text, ast);
  return ast;
}

export function fieldOf(text: string, step: AstNode): FieldUse | undefined {
  if (step.type !== "name" || typeof step.value !== "string" || typeof step.position !== "number") return undefined;
  const end = step.position;
  const quoted = text[end - 1] === "`";
  const start = end - step.value.length - (quoted ? 2 : 0);
  return start >= 0 ? { name: step.value, start, end } : undefined;
}

/** Children evaluated in the record's context (a path's later steps and predicates are not). */
function children(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const add = (n: unknown) => {
    if (n && typeof n === "object" && "type" in n) out.push(n as AstNode);
  };
  if (Array.isArray(node.lhs)) for (const pair of node.lhs) pair.forEach(add);
  else add(node.lhs);
  add(node.rhs);
  add(node.expression);
  node.expressions?.forEach(add);
  node.arguments?.forEach(add);
  add(node.condition);
  add(node.then);
  add(node.else);
  return out;
}

/** The record fields an expression reads: the first step of each path that starts with a name. */
export function fieldsOf(text: string): FieldUse[] {
  const ast = parseExpression(text);
  if (!ast) return [];
  const out: FieldUse[] = [];
  const walk = (node: AstNode, depth: number) => {
    if (depth > 200) return;
    if (node.type === "path") {
      const first = node.steps?.[0];
      const field = first ? fieldOf(text, first) : undefined;
      if (field) out.push(field);
      else if (first) walk(first, depth + 1);
      return;
    }
    if (node.type === "name") {
      const field = fieldOf(text, node);
      if (field) out.push(field);
      return;
    }
    // Lambdas bind their own names; their bodies are not read as record fields.
    if (node.type === "lambda") return;
    for (const child of children(node)) walk(child, depth + 1);
  };
  walk(ast, 0);
  return out;
}

const STRING_FNS = new Set(["string", "substring", "substringBefore", "substringAfter", "uppercase", "lowercase", "trim", "pad", "join", "replace", "formatNumber", "formatBase", "formatInteger", "base64encode", "base64decode", "encodeUrl", "encodeUrlComponent", "decodeUrl", "decodeUrlComponent", "now", "fromMillis", "type"]);
const NUMBER_FNS = new Set(["number", "abs", "floor", "ceil", "round", "power", "sqrt", "random", "sum", "max", "min", "average", "count", "length", "millis", "toMillis", "parseInteger"]);
const BOOLEAN_FNS = new Set(["boolean", "not", "exists", "contains", "match"]);
const COMPARISONS = new Set(["=", "!=", "<", "<=", ">", ">=", "and", "or", "in"]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%"]);

function functionType(node: AstNode): ColumnType | undefined {
  const name = node.procedure?.type === "variable" ? node.procedure.value : undefined;
  if (typeof name !== "string") return undefined;
  if (name === "match") return "json";
  if (STRING_FNS.has(name)) return "string";
  if (NUMBER_FNS.has(name)) return "number";
  if (BOOLEAN_FNS.has(name)) return "boolean";
  return undefined;
}

/** A column's type by name, when known. */
export type TypeLookup = (name: string) => ColumnType | undefined;

/** The type of the value a node gives, when it is knowable from literals, functions and `typeOf`. */
export function nodeType(node: AstNode, typeOf: TypeLookup): ColumnType | undefined {
  switch (node.type) {
    case "number":
      return "number";
    case "string":
      return "string";
    case "value":
      return typeof node.value === "boolean" ? "boolean" : undefined;
    case "binary": {
      const op = String(node.value);
      if (COMPARISONS.has(op)) return "boolean";
      if (ARITHMETIC.has(op)) return "number";
      if (op === "&") return "string";
      return undefined;
    }
    case "unary":
      return node.value === "-" ? "number" : undefined;
    case "function":
      return functionType(node);
    case "condition": {
      if (!node.then || !node.else) return undefined;
      const a = nodeType(node.then, typeOf);
      return a !== undefined && a === nodeType(node.else, typeOf) ? a : undefined;
    }
    case "block": {
      const last = node.expressions?.[node.expressions.length - 1];
      return last ? nodeType(last, typeOf) : undefined;
    }
    case "path": {
      const steps = node.steps ?? [];
      const first = steps[0];
      if (steps.length === 1 && first?.type === "name" && typeof first.value === "string") return typeOf(first.value);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The type of the value an expression gives for a record with `columns`, when it is knowable. */
export function expressionType(text: string, columns: ColumnSet): ColumnType | undefined {
  const ast = parseExpression(text);
  return ast ? nodeType(ast, (name) => typeIn(columns, name)) : undefined;
}

/** The same, with column types from a lookup (e.g. what is known without live analysis). */
export function expressionTypeWith(text: string, typeOf: TypeLookup): ColumnType | undefined {
  const ast = parseExpression(text);
  return ast ? nodeType(ast, typeOf) : undefined;
}
