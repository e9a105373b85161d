/**
 * The `$` functions the compiled subset calls directly (compileExpression.ts), each as jsonata 2.2.2
 * defines it for the argument types listed. Arguments of other types (JSONata's signature errors,
 * T0410), an undefined argument after the first, or a case the function would raise go slow: the
 * interpreter decides. An undefined first argument gives undefined, as every one of these does.
 */
import { codePointLength, isFiniteNumber, round, slow, substring, toBoolean, toNumber, toText, trim } from "./jsonataValues";

/** Argument types: s string, n number, x anything the compiled code carries. */
type ArgType = "s" | "n" | "x";

export interface BuiltIn {
  /** The types of the arguments; those past `required` may be left out. */
  args: ArgType[];
  required: number;
  /** False for `$exists`, whose undefined argument is an answer rather than a pass-through. */
  undefinedIn?: boolean;
  call(a: unknown, b: unknown, c: unknown): unknown;
}

const str = (v: unknown) => v as string;
const num = (v: unknown) => v as number;

export const BUILT_INS: ReadonlyMap<string, BuiltIn> = new Map<string, BuiltIn>([
  ["string", { args: ["x"], required: 1, call: (v) => toText(v) }],
  ["number", { args: ["x"], required: 1, call: (v) => toNumber(v) }],
  ["boolean", { args: ["x"], required: 1, call: (v) => toBoolean(v) }],
  ["not", { args: ["x"], required: 1, call: (v) => !toBoolean(v) }],
  ["exists", { args: ["x"], required: 1, undefinedIn: false, call: (v) => v !== undefined }],
  ["uppercase", { args: ["s"], required: 1, call: (v) => str(v).toUpperCase() }],
  ["lowercase", { args: ["s"], required: 1, call: (v) => str(v).toLowerCase() }],
  ["trim", { args: ["s"], required: 1, call: (v) => trim(str(v)) }],
  ["length", { args: ["s"], required: 1, call: (v) => codePointLength(str(v)) }],
  ["substring", { args: ["s", "n", "n"], required: 2, call: (s, start, length) => substring(str(s), num(start), length as number | undefined) }],
  ["substringBefore", { args: ["s", "s"], required: 2, call: (s, chars) => before(str(s), str(chars)) }],
  ["substringAfter", { args: ["s", "s"], required: 2, call: (s, chars) => after(str(s), str(chars)) }],
  ["contains", { args: ["s", "s"], required: 2, call: (s, token) => str(s).indexOf(str(token)) !== -1 }],
  ["round", { args: ["n", "n"], required: 1, call: (n, precision) => round(num(n), precision as number | undefined) }],
  ["floor", { args: ["n"], required: 1, call: (n) => Math.floor(num(n)) }],
  ["ceil", { args: ["n"], required: 1, call: (n) => Math.ceil(num(n)) }],
  ["abs", { args: ["n"], required: 1, call: (n) => Math.abs(num(n)) }],
  ["sqrt", { args: ["n"], required: 1, call: (n) => (num(n) < 0 ? slow() : Math.sqrt(num(n))) }],
  ["power", { args: ["n", "n"], required: 2, call: (n, e) => finite(Math.pow(num(n), num(e))) }],
]);

function before(s: string, chars: string): string {
  const pos = s.indexOf(chars);
  return pos > -1 ? s.substring(0, pos) : s;
}

function after(s: string, chars: string): string {
  const pos = s.indexOf(chars);
  return pos > -1 ? s.substring(pos + chars.length) : s;
}

function finite(n: number): number {
  return isFiniteNumber(n) ? n : slow();
}

/** True when `v` fits the argument type as JSONata's signature check would let it through. */
function fits(type: ArgType, v: unknown): boolean {
  if (type === "s") return typeof v === "string";
  if (type === "n") return typeof v === "number";
  return true;
}

/** Checks one evaluated argument (`index` from 0) as JSONata's signature would. */
function check(fn: BuiltIn, index: number, v: unknown): void {
  if (v === undefined ? index > 0 : !fits(fn.args[index] as ArgType, v)) slow();
}

/**
 * Checks a call's evaluated arguments (`count` of them given); false when the call's value is
 * undefined without calling (an undefined first argument), true when `fn.call` is to be called.
 */
export function argumentsFit(fn: BuiltIn, count: number, a: unknown, b?: unknown, c?: unknown): boolean {
  check(fn, 0, a);
  if (count > 1) check(fn, 1, b);
  if (count > 2) check(fn, 2, c);
  return a !== undefined || fn.undefinedIn === false;
}
