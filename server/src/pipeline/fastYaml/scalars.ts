/**
 * Scalars for the fast YAML path (`blockYaml.ts`): plain scalars resolved by the YAML 1.2 core
 * schema exactly as `yaml` resolves them, and quoted scalars that close on their line. Anything
 * rarer (hex, octal, exponents, `.inf`, unknown escapes) is left to `yaml` by throwing BAIL.
 */
import type { Scalar } from "yaml";
import { newScalar } from "./nodes";

/** Thrown (not an Error: no stack to capture) when the text leaves the fast path's subset. */
export const BAIL = { bail: true } as const;

const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Core-schema numbers the fast path does not build (they carry a `format`, or are not finite). */
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+)$/;

/** True when a plain scalar starting with char code `c` may resolve to something other than a string. */
function maybeNotString(c: number): boolean {
  // digits + - . ~ and the first letters of null/true/false
  return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70;
}

/**
 * A plain scalar node: its value resolved by the core schema (and the `minFractionDigits` `yaml`
 * records for floats like `1.50`), its source, and the range `[start, end, nodeEnd]`.
 */
export function plainScalar(source: string, start: number, end: number, nodeEnd: number): Scalar {
  const node = newScalar(source);
  if (source === "") node.value = null;
  else if (maybeNotString(source.charCodeAt(0))) {
    if (NULL.test(source)) node.value = null;
    else if (BOOL.test(source)) node.value = source[0] === "t" || source[0] === "T";
    else if (INT.test(source)) node.value = parseInt(source, 10);
    else if (FLOAT.test(source)) {
      node.value = parseFloat(source);
      if (source.endsWith("0")) node.minFractionDigits = source.length - source.indexOf(".") - 1;
    } else if (OTHER_NUMBER.test(source)) throw BAIL;
  }
  node.range = [start, end, nodeEnd];
  node.source = source;
  node.type = "PLAIN";
  return node;
}

/** A quoted scalar node (`value` already unescaped). */
export function quotedScalar(value: string, double: boolean, start: number, end: number, nodeEnd: number): Scalar {
  const node = newScalar(value);
  node.range = [start, end, nodeEnd];
  node.source = value;
  node.type = double ? "QUOTE_DOUBLE" : "QUOTE_SINGLE";
  return node;
}

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

/** Where the last `quoted` call's scalar ended (a field, not a result object: it runs per scalar). */
export const quotedEnd = { at: 0 };

/**
 * The value of a quoted scalar starting at `start` (on its quote), which must close before
 * `lineEnd`; `quotedEnd.at` is set just past its closing quote.
 */
export function quoted(text: string, start: number, lineEnd: number): string {
  const quote = text.charCodeAt(start);
  if (quote === 39) {
    let value = "";
    let from = start + 1;
    for (;;) {
      const q = text.indexOf("'", from);
      if (q < 0 || q >= lineEnd) throw BAIL;
      value += text.slice(from, q);
      if (text.charCodeAt(q + 1) !== 39) {
        quotedEnd.at = q + 1;
        return value;
      }
      value += "'";
      from = q + 2;
    }
  }
  let value = "";
  let from = start + 1;
  for (let i = from; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      quotedEnd.at = i + 1;
      return value + text.slice(from, i);
    }
    if (c !== 92) continue;
    const escape = ESCAPES[text[i + 1] ?? ""];
    if (escape === undefined || i + 1 >= lineEnd) throw BAIL;
    value += text.slice(from, i) + escape;
    i++;
    from = i + 1;
  }
  throw BAIL;
}
