/**
 * Compiles the common subset of JSONata into a plain synchronous JavaScript closure over one record,
 * so filter and derive need not go through the interpreter's promises for every record and node.
 * The subset: field paths (`a`, `a.b`), string/number/true/false/null literals, `+ - * / %`, unary
 * minus, `= != < <= > >=`, `and`/`or`, `in` a literal list, `? :`, `&`, parentheses, and the `$`
 * functions of jsonataFunctions.ts. An expression with anything else is not compiled (undefined).
 *
 * A compiled closure answers only when the interpreter would give that same value without an
 * error. Whenever a value or case is outside the rules copied here (an error, an array, a BigInt…)
 * it returns NEEDS_INTERPRETER and the caller evaluates that record with the interpreter, so results
 * and errors, messages included, are the interpreter's own. test/unit/runner/compileExpression.test.ts
 * checks this on random expressions and records.
 */
import type jsonata from "jsonata";
import { isInheritedName } from "../../pipeline/ownKeys";
import { BUILT_INS, callBuiltIn } from "./jsonataFunctions";
import { checked, isFiniteNumber, NeedsInterpreter, slow, toText, truth } from "./jsonataValues";

export const NEEDS_INTERPRETER: unique symbol = Symbol("needs the JSONata interpreter");

export type CompiledExpression = (record: unknown) => unknown;

type Fn = (input: unknown) => unknown;
type Node = Record<string, unknown> & { type: string };

/** The keys a node of the subset may have: any other (predicates, grouping, focus, tuples…) means not compiled. */
const PLAIN_KEYS = new Set(["type", "value", "position", "lhs", "rhs", "expression", "condition", "then", "else", "arguments", "procedure", "steps", "expressions"]);

/** True when `node` has only keys of the subset (a function call's `name` is there, undefined). */
function plainNode(node: Node): boolean {
  return Object.keys(node).every((key) => PLAIN_KEYS.has(key) || node[key] === undefined);
}

class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported();
}

/** The closure for `expression`, or undefined when it uses anything outside the subset. */
export function compileExpression(expression: jsonata.Expression): CompiledExpression | undefined {
  let body: Fn;
  try {
    body = compileNode(expression.ast() as Node);
  } catch (err: unknown) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  return (record) => {
    try {
      return body(record);
    } catch (err: unknown) {
      if (err instanceof NeedsInterpreter) return NEEDS_INTERPRETER;
      throw err;
    }
  };
}

function compileNode(node: Node): Fn {
  if (!plainNode(node)) unsupported();
  switch (node.type) {
    case "string":
    case "number":
    case "value": {
      const value = node.value as unknown;
      return () => value;
    }
    case "path":
      return compilePath(node.steps as Node[]);
    case "unary":
      return node.value === "-" ? negate(compileNode(node.expression as Node)) : unsupported();
    case "binary":
      return compileBinary(node);
    case "condition":
      return compileCondition(node);
    case "block":
      return compileBlock(node.expressions as Node[]);
    case "function":
      return compileCall(node);
    default:
      return unsupported();
  }
}

/** A path of field names: each step looks the name up in an object; anything else has no such field. */
function compilePath(steps: Node[]): Fn {
  const names = steps.map((s) => {
    return plainNode(s) && s.type === "name" && typeof s.value === "string" ? s.value : unsupported();
  });
  const [first, ...rest] = names as [string, ...string[]];
  // A record is a plain object: a name it does not inherit reads its own key or nothing.
  const top: Fn = isInheritedName(first) ? (r) => own(r, first) : (r) => checked((r as Record<string, unknown>)[first]);
  if (rest.length === 0) return top;
  return (r) => {
    let v = top(r);
    for (const name of rest) v = own(v, name);
    return v;
  };
}

function own(v: unknown, name: string): unknown {
  if (v === null || typeof v !== "object") return undefined;
  if (Array.isArray(v)) return slow();
  return Object.hasOwn(v, name) ? checked((v as Record<string, unknown>)[name]) : undefined;
}

function negate(operand: Fn): Fn {
  return (r) => {
    const v = operand(r);
    if (isFiniteNumber(v)) return -v;
    return v === undefined ? undefined : slow();
  };
}

function compileBlock(expressions: Node[]): Fn {
  const parts = expressions.map(compileNode);
  if (parts.length === 1) return parts[0] as Fn;
  return (r) => {
    let v: unknown;
    for (const part of parts) v = part(r);
    return v;
  };
}

function compileCondition(node: Node): Fn {
  const condition = compileNode(node.condition as Node);
  const then = compileNode(node.then as Node);
  const otherwise = node.else === undefined ? () => undefined : compileNode(node.else as Node);
  return (r) => (truth(condition(r)) ? then(r) : otherwise(r));
}

function compileCall(node: Node): Fn {
  const procedure = node.procedure as Node;
  const name = procedure.type === "variable" && plainNode(procedure) ? (procedure.value as string) : unsupported();
  const fn = BUILT_INS.get(name) ?? unsupported();
  const args = (node.arguments as Node[]).map(compileNode);
  if (args.length < fn.required || args.length > fn.args.length) unsupported();
  const [first, second, third] = args as [Fn, Fn | undefined, Fn | undefined];
  if (second === undefined) return (r) => callBuiltIn(fn, 1, first(r));
  if (third === undefined) return (r) => callBuiltIn(fn, 2, first(r), second(r));
  return (r) => callBuiltIn(fn, 3, first(r), second(r), third(r));
}

function compileBinary(node: Node): Fn {
  const op = node.value as string;
  const lhs = compileNode(node.lhs as Node);
  if (op === "in") return includes(lhs, node.rhs as Node);
  const rhs = compileNode(node.rhs as Node);
  switch (op) {
    case "and":
      return (r) => truth(lhs(r)) && truth(rhs(r));
    case "or":
      return (r) => truth(lhs(r)) || truth(rhs(r));
    case "+":
    case "-":
    case "*":
    case "/":
    case "%":
      return arithmetic(op, lhs, rhs);
    case "=":
      return (r) => equal(lhs(r), rhs(r)) ?? false;
    case "!=":
      return (r) => {
        const same = equal(lhs(r), rhs(r));
        return same === undefined ? false : !same;
      };
    case "<":
    case "<=":
    case ">":
    case ">=":
      return comparison(op, lhs, rhs);
    case "&":
      return (r) => (toText(lhs(r)) ?? "") + (toText(rhs(r)) ?? "");
    default:
      return unsupported();
  }
}

/** Numbers only (T2001/T2002 otherwise); undefined on either side gives undefined. One closure per operator: no shared call site. */
function arithmetic(op: string, lhs: Fn, rhs: Fn): Fn {
  const other = (a: unknown, b: unknown) => ((a === undefined || isFiniteNumber(a)) && (b === undefined || isFiniteNumber(b)) ? undefined : slow());
  switch (op) {
    case "+":
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return isFiniteNumber(a) && isFiniteNumber(b) ? a + b : other(a, b);
      };
    case "-":
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return isFiniteNumber(a) && isFiniteNumber(b) ? a - b : other(a, b);
      };
    case "*":
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return isFiniteNumber(a) && isFiniteNumber(b) ? a * b : other(a, b);
      };
    case "/":
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return isFiniteNumber(a) && isFiniteNumber(b) ? a / b : other(a, b);
      };
    default:
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return isFiniteNumber(a) && isFiniteNumber(b) ? a % b : other(a, b);
      };
  }
}

/** `=` of scalars: undefined when either side is (both `=` and `!=` are then false); two objects go slow. */
function equal(a: unknown, b: unknown): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") return slow();
  return a === b;
}

/** Neither a pair of numbers nor of strings: undefined when one side is undefined and the other comparable, else the interpreter's error. */
function incomparable(a: unknown, b: unknown): undefined {
  const ta = typeof a;
  const tb = typeof b;
  const comparable = (t: string) => t === "undefined" || t === "string" || t === "number";
  return comparable(ta) && comparable(tb) && (ta === "undefined" || tb === "undefined") ? undefined : slow();
}

/** Two numbers or two strings (T2009/T2010 otherwise); undefined on either side gives undefined. One closure per operator. */
function comparison(op: string, lhs: Fn, rhs: Fn): Fn {
  const same = (a: unknown, b: unknown) => (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");
  switch (op) {
    case "<":
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return same(a, b) ? (a as number) < (b as number) : incomparable(a, b);
      };
    case "<=":
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return same(a, b) ? (a as number) <= (b as number) : incomparable(a, b);
      };
    case ">":
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return same(a, b) ? (a as number) > (b as number) : incomparable(a, b);
      };
    default:
      return (r) => {
        const a = lhs(r);
        const b = rhs(r);
        return same(a, b) ? (a as number) >= (b as number) : incomparable(a, b);
      };
  }
}

/** `x in [literals]` or `x in literal`: strict equality with any item; false when x is undefined. */
function includes(lhs: Fn, rhs: Node): Fn {
  const literal = (n: Node) => ((n.type === "string" || n.type === "number" || n.type === "value") && plainNode(n) ? n.value : unsupported());
  const items = rhs.type === "unary" && rhs.value === "[" && plainNode(rhs) ? (rhs.expressions as Node[]).map(literal) : [literal(rhs)];
  return (r) => {
    const v = lhs(r);
    if (v === undefined) return false;
    for (const item of items) if (item === v) return true;
    return false;
  };
}
