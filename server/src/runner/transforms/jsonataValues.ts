/**
 * JSONata's value rules for the compiled subset (compileExpression.ts), copied from jsonata 2.2.2's
 * evaluator and built-in functions for the value types they handle the same way every time. Where
 * the interpreter would raise an error, or a value is one whose rules are not copied here (arrays,
 * which JSONata treats as sequences; objects in operators; BigInts; functions), `slow()` hands the
 * whole record back to the interpreter, which then gives the result or the error, message and all.
 */

/** Thrown by compiled code when the interpreter must decide (see `slow`). */
export class NeedsInterpreter {}
const SLOW = new NeedsInterpreter();

export function slow(): never {
  throw SLOW;
}

/** A finite number: what JSONata's `isNumeric` accepts (NaN is not numeric; ±Infinity is an error). */
export function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && v - v === 0;
}

/** A value as the compiled code may carry it: a JSON scalar or plain object; arrays (sequences) and the rest go slow. */
export function checked(v: unknown): unknown {
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean" || t === "undefined" || v === null) return v;
  if (t === "object" && !Array.isArray(v)) return v;
  return slow();
}

/** `fn.boolean` for scalars; undefined stays undefined. */
export function toBoolean(v: unknown): boolean | undefined {
  switch (typeof v) {
    case "undefined":
      return undefined;
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      if (Number.isNaN(v)) return false;
      return isFiniteNumber(v) ? v !== 0 : slow();
    default:
      return v === null ? false : slow();
  }
}

/** `boolize`: a condition's truth, undefined being false. */
export function truth(v: unknown): boolean {
  return toBoolean(v) === true;
}

/** `fn.string` for scalars (numbers to 15 significant digits, as JSONata prints them); undefined stays undefined. */
export function toText(v: unknown): string | undefined {
  switch (typeof v) {
    case "undefined":
    case "string":
      return v;
    case "number":
      if (!isFiniteNumber(v)) return slow();
      return String(Number.isInteger(v) ? v : Number(v.toPrecision(15)));
    case "boolean":
      return v ? "true" : "false";
    default:
      return v === null ? "null" : slow();
  }
}

/** The strings JSONata's `$number` parses as decimal numbers (its other forms go slow). */
const NUMBER_TEXT = /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;

export function toNumber(v: unknown): number | undefined {
  if (v === undefined || typeof v === "number") return v;
  if (typeof v === "string" && NUMBER_TEXT.test(v)) {
    const n = parseFloat(v);
    return isFiniteNumber(n) ? n : slow();
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  return slow();
}

/** True when `s` has a UTF-16 surrogate: JSONata counts and cuts strings by code point, JavaScript by code unit. */
function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

export function codePointLength(s: string): number {
  return hasSurrogate(s) ? [...s].length : s.length;
}

/** `fn.substring`: start and length in code points; a negative start counts from the end. */
export function substring(s: string, start: number, length: number | undefined): string {
  const chars: string | string[] = hasSurrogate(s) ? [...s] : s;
  let from = start;
  if (chars.length + from < 0) from = 0;
  if (length !== undefined) {
    if (length <= 0) return "";
    const end = from >= 0 ? from + length : chars.length + from + length;
    return typeof chars === "string" ? chars.slice(from, end) : chars.slice(from, end).join("");
  }
  return typeof chars === "string" ? chars.slice(from) : chars.slice(from).join("");
}

/** `fn.trim`: runs of white space become one space; none at either end. */
export function trim(s: string): string {
  let result = s.replace(/[ \t\n\r]+/gm, " ");
  if (result.charAt(0) === " ") result = result.substring(1);
  if (result.charAt(result.length - 1) === " ") result = result.substring(0, result.length - 1);
  return result;
}

/** `fn.round`: half to even, at `precision` decimal places (shifted in text, as JSONata does). */
export function round(arg: number, precision: number | undefined): number {
  let value = arg;
  if (precision) {
    const parts = value.toString().split("e");
    value = +(parts[0] + "e" + (parts[1] ? +parts[1] + precision : precision));
  }
  let result = Math.round(value);
  if (Math.abs(result - value) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  if (precision) {
    const parts = result.toString().split("e");
    result = +(parts[0] + "e" + (parts[1] ? +parts[1] - precision : -precision));
  }
  return Object.is(result, -0) ? 0 : result;
}
