/**
 * JSONata's operators for the compiled subset (compileExpression.ts), as jsonata 2.2.2 evaluates
 * them, for the values they handle the same way every time; anything else (the interpreter's
 * errors above all) goes slow. Each is a small function of its operands, with no call through a
 * variable inside, so the generated code that calls them stays monomorphic.
 */
import { checked, isFiniteNumber, slow, toText, truth } from "./jsonataValues";

/** Arithmetic on anything but two finite numbers: undefined beside undefined, else T2001/T2002/D1001. */
function notNumbers(a: unknown, b: unknown): undefined {
  return (a === undefined || isFiniteNumber(a)) && (b === undefined || isFiniteNumber(b)) ? undefined : slow();
}

/** A comparison of anything but two numbers or two strings: undefined beside undefined, else T2009/T2010. */
function incomparable(a: unknown, b: unknown): undefined {
  const ta = typeof a;
  const tb = typeof b;
  const comparable = (t: string) => t === "undefined" || t === "string" || t === "number";
  return comparable(ta) && comparable(tb) && (ta === "undefined" || tb === "undefined") ? undefined : slow();
}

const bothNumbers = (a: unknown, b: unknown): boolean => isFiniteNumber(a) && isFiniteNumber(b);
const sameKind = (a: unknown, b: unknown): boolean => (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");

/** `=` of scalars; undefined when either side is (then both `=` and `!=` are false); two objects go slow. */
function equal(a: unknown, b: unknown): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") return slow();
  return a === b;
}

/** A field of an object (an own key only); nothing of anything else; arrays (sequences) go slow. */
function own(v: unknown, name: string): unknown {
  if (v === null || typeof v !== "object") return undefined;
  if (Array.isArray(v)) return slow();
  return Object.hasOwn(v, name) ? checked((v as Record<string, unknown>)[name]) : undefined;
}

export const OPERATORS = {
  checked,
  own,
  truth,
  neg: (v: unknown): unknown => (isFiniteNumber(v) ? -v : v === undefined ? undefined : slow()),
  add: (a: unknown, b: unknown): unknown => (bothNumbers(a, b) ? (a as number) + (b as number) : notNumbers(a, b)),
  sub: (a: unknown, b: unknown): unknown => (bothNumbers(a, b) ? (a as number) - (b as number) : notNumbers(a, b)),
  mul: (a: unknown, b: unknown): unknown => (bothNumbers(a, b) ? (a as number) * (b as number) : notNumbers(a, b)),
  div: (a: unknown, b: unknown): unknown => (bothNumbers(a, b) ? (a as number) / (b as number) : notNumbers(a, b)),
  mod: (a: unknown, b: unknown): unknown => (bothNumbers(a, b) ? (a as number) % (b as number) : notNumbers(a, b)),
  lt: (a: unknown, b: unknown): unknown => (sameKind(a, b) ? (a as number) < (b as number) : incomparable(a, b)),
  le: (a: unknown, b: unknown): unknown => (sameKind(a, b) ? (a as number) <= (b as number) : incomparable(a, b)),
  gt: (a: unknown, b: unknown): unknown => (sameKind(a, b) ? (a as number) > (b as number) : incomparable(a, b)),
  ge: (a: unknown, b: unknown): unknown => (sameKind(a, b) ? (a as number) >= (b as number) : incomparable(a, b)),
  eq: (a: unknown, b: unknown): boolean => equal(a, b) ?? false,
  ne: (a: unknown, b: unknown): boolean => {
    const same = equal(a, b);
    return same === undefined ? false : !same;
  },
  cat: (a: unknown, b: unknown): string => (toText(a) ?? "") + (toText(b) ?? ""),
  /** `x in [literals]`: strict equality with an item; false when x is undefined. */
  within: (v: unknown, items: readonly unknown[]): boolean => v !== undefined && items.some((item) => item === v),
};

export type OperatorName = keyof typeof OPERATORS;
