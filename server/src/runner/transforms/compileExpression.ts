/**
 * Compiles the common subset of JSONata into a plain synchronous JavaScript function over one record,
 * so filter and derive need not go through the interpreter's promises for every record and node.
 * The subset: field paths (`a`, `a.b`), string/number/true/false/null literals, `+ - * / %`, unary
 * minus, `= != < <= > >=`, `and`/`or`, `in` a literal list, `? :`, `&`, parentheses, and the `$`
 * functions of jsonataFunctions.ts. An expression with anything else is not compiled (undefined).
 *
 * Each expression becomes its own function (`new Function`), so every property read and call in it
 * has its own inline cache: closures composed from shared ones made every field read megamorphic
 * (~20× slower). Only the generator's own code goes into the source text: field names, literals
 * and functions are read from a constants array (`k[i]`), never spliced in.
 *
 * A compiled function answers only when the interpreter would give that same value without an
 * error. Whenever a value or case is outside the rules copied here (an error, an array, a BigInt…)
 * it returns NEEDS_INTERPRETER and the caller evaluates that record with the interpreter, so results
 * and errors, messages included, are the interpreter's own. test/unit/runner/compileExpression.test.ts
 * checks this on random expressions and records.
 */
import type jsonata from "jsonata";
import { isInheritedName } from "../../pipeline/ownKeys";
import { argumentsFit, BUILT_INS } from "./jsonataFunctions";
import { OPERATORS, type OperatorName } from "./jsonataOperators";
import { NeedsInterpreter } from "./jsonataValues";

export const NEEDS_INTERPRETER: unique symbol = Symbol("needs the JSONata interpreter");

export type CompiledExpression = (record: unknown) => unknown;

type Node = Record<string, unknown> & { type: string };

/** The keys a node of the subset may have: any other (predicates, grouping, focus, tuples…) means not compiled. */
const PLAIN_KEYS = new Set(["type", "value", "position", "lhs", "rhs", "expression", "condition", "then", "else", "arguments", "procedure", "steps", "expressions"]);

const BINARY: Record<string, OperatorName> = { "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "&": "cat" };

/** What the generated code sees besides the record: the operators, argument checks, the fallback marker. */
const RUNTIME = { ...OPERATORS, argumentsFit, NeedsInterpreter, NEEDS: NEEDS_INTERPRETER };

/** True when `node` has only keys of the subset (a function call's `name` is there, undefined). */
function plainNode(node: Node): boolean {
  return Object.keys(node).every((key) => PLAIN_KEYS.has(key) || node[key] === undefined);
}

class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported();
}

/** The function for `expression`, or undefined when it uses anything outside the subset. */
export function compileExpression(expression: jsonata.Expression): CompiledExpression | undefined {
  const generator = new Generator();
  let body: string;
  try {
    body = generator.node(expression.ast() as Node);
  } catch (err: unknown) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  const temps = generator.temps > 0 ? `let ${Array.from({ length: generator.temps }, (_, i) => `t${i}`).join(", ")};` : "";
  const source = `"use strict"; return (r) => { ${temps} try { return ${body}; } catch (err) { if (err instanceof h.NeedsInterpreter) return h.NEEDS; throw err; } };`;
  // Generated from the AST's shape only: every name and value is read from `k`.
  return (new Function("h", "k", source) as (h: typeof RUNTIME, k: unknown[]) => CompiledExpression)(RUNTIME, generator.constants);
}

/** Turns a node into a JavaScript expression over `r` (the record), `h` (RUNTIME), `k` (constants) and temporaries. */
class Generator {
  readonly constants: unknown[] = [];
  temps = 0;

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  private temp(): string {
    return `t${this.temps++}`;
  }

  node(node: Node): string {
    if (!plainNode(node)) unsupported();
    switch (node.type) {
      case "string":
      case "number":
      case "value":
        return this.constant(node.value);
      case "path":
        return this.path(node.steps as Node[]);
      case "unary":
        return node.value === "-" ? `h.neg(${this.node(node.expression as Node)})` : unsupported();
      case "binary":
        return this.binary(node);
      case "condition": {
        const otherwise = node.else === undefined ? "undefined" : this.node(node.else as Node);
        return `(h.truth(${this.node(node.condition as Node)}) ? ${this.node(node.then as Node)} : ${otherwise})`;
      }
      case "block": {
        const parts = (node.expressions as Node[]).map((e) => this.node(e));
        return parts.length === 0 ? "undefined" : `(${parts.join(", ")})`;
      }
      case "function":
        return this.call(node);
      default:
        return unsupported();
    }
  }

  /** A path of field names: each step looks the name up in an object; anything else has no such field. */
  private path(steps: Node[]): string {
    const names = steps.map((s) => (plainNode(s) && s.type === "name" && typeof s.value === "string" ? s.value : unsupported()));
    const [first, ...rest] = names as [string, ...string[]];
    // A record is a plain object: a name it does not inherit reads its own key or nothing.
    let code = isInheritedName(first) ? `h.own(r, ${this.constant(first)})` : `h.checked(r[${this.constant(first)}])`;
    for (const name of rest) code = `h.own(${code}, ${this.constant(name)})`;
    return code;
  }

  private binary(node: Node): string {
    const op = node.value as string;
    const lhs = this.node(node.lhs as Node);
    if (op === "in") return `h.within(${lhs}, ${this.constant(this.literalList(node.rhs as Node))})`;
    const rhs = this.node(node.rhs as Node);
    if (op === "and") return `(h.truth(${lhs}) && h.truth(${rhs}))`;
    if (op === "or") return `(h.truth(${lhs}) || h.truth(${rhs}))`;
    const name = BINARY[op] ?? unsupported();
    return `h.${name}(${lhs}, ${rhs})`;
  }

  /** The right side of `in`: a list of literals, or one. */
  private literalList(node: Node): unknown[] {
    const literal = (n: Node) => ((n.type === "string" || n.type === "number" || n.type === "value") && plainNode(n) ? n.value : unsupported());
    return node.type === "unary" && node.value === "[" && plainNode(node) ? (node.expressions as Node[]).map(literal) : [literal(node)];
  }

  /** `$name(args)`: the arguments into temporaries, checked, then the built-in called directly. */
  private call(node: Node): string {
    const procedure = node.procedure as Node;
    const name = procedure.type === "variable" && plainNode(procedure) ? (procedure.value as string) : unsupported();
    const fn = BUILT_INS.get(name) ?? unsupported();
    const args = (node.arguments as Node[]).map((a) => this.node(a));
    if (args.length < fn.required || args.length > fn.args.length) unsupported();
    const f = this.constant(fn);
    const temps = args.map(() => this.temp());
    const assign = args.map((a, i) => `${temps[i]} = ${a}`).join(", ");
    return `(${assign}, h.argumentsFit(${f}, ${args.length}, ${temps.join(", ")}) ? ${f}.call(${temps.join(", ")}) : undefined)`;
  }
}
