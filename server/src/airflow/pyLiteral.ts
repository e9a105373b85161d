/**
 * Python literals for generated code. Everything that comes from a pipeline file is data: it
 * reaches the generated DAG only through these functions, never spliced into code as text.
 */

/**
 * Characters written as escapes rather than as themselves: controls, format characters (bidi
 * overrides — "Trojan Source"), line/paragraph separators, private use, lone surrogates and
 * unassigned code points. Everything else (accents, CJK, emoji) stays readable.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u;

const SIMPLE_ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeCodePoint(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

/** A double-quoted Python 3 string literal that evaluates to exactly `text`. */
export function pyString(text: string): string {
  let out = '"';
  // Iterating a string yields code points; a lone surrogate comes out on its own and is escaped.
  for (const ch of text) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) out += simple;
    else if (UNSAFE.test(ch)) out += escapeCodePoint(ch);
    else out += ch;
  }
  return out + '"';
}

/** A Python literal for a JSON-like scalar or list (numbers must be finite). */
export function pyValue(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a Python literal`);
    return Number.isInteger(value) ? String(value) : String(value).replace(/e\+?/, "e");
  }
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyValue).join(", ")}]`;
  throw new Error(`cannot write a ${typeof value} as a Python literal`);
}

