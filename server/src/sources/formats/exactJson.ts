/**
 * JSON numbers read and written exactly (docs/pipeline-spec.md, "Numbers"). JSON.parse makes every
 * number a double: `12345678901234567890` becomes `12345678901234567000` and `1e400` Infinity,
 * silently. Here an integer literal (no fraction, no exponent) beyond ±(2^53 − 1) becomes a
 * BigInt, exactly; a number a double cannot hold at all (beyond ±1.8e308, or a non-zero one that
 * would round to 0) is an error; other numbers with a fraction or exponent are doubles, as RFC 8259
 * §6 has JSON readers agree. JSON.parse stays the fast path: only text whose parsed value holds a
 * number such a literal could have made, and that holds such a literal, is parsed again here. The writer keeps BigInts as
 * number literals and −0 as `-0`, both of which JSON.stringify cannot.
 */

/** Text that may hold a number JSON.parse would change: 16+ digits in a row, or an exponent of 3+ digits. */
const SUSPECT = /\d{16}|[eE][+-]?\d{3}/;

/** Thrown for a number no record value can hold exactly; `message` says which and why. */
export class JsonNumberError extends Error {}

/**
 * True when JSON.parse's `value` may differ from what `text` says: the value holds an integer beyond
 * 2^53, ±Infinity or a zero (what 1e-400 becomes), and the text a number that could have made it.
 * The walk of the value costs far less than a scan of the text, which only such values need.
 */
export function mayNeedExactParse(value: unknown, text: string): boolean {
  return doubtful(value) && SUSPECT.test(text);
}

function doubtfulNumber(v: number): boolean {
  return v === 0 || (!Number.isSafeInteger(v) && (Number.isInteger(v) || !Number.isFinite(v)));
}

function doubtful(value: unknown): boolean {
  if (typeof value === "number") return doubtfulNumber(value);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (doubtful(value[i])) return true;
    return false;
  }
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === "number" ? doubtfulNumber(v) : typeof v === "object" && v !== null && doubtful(v)) return true;
  }
  return false;
}

/** JSON.parse, but exact for big integers (BigInt) and refusing numbers out of a double's range. */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return mayNeedExactParse(value, text) ? parseJsonExact(text) : value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// Control characters must be escaped inside a JSON string.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    // The message JSON.parse would give, so callers report both alike.
    throw new SyntaxError(`${what} in JSON at position ${this.pos}`);
  }

  space(): void {
    SPACE.lastIndex = this.pos;
    SPACE.test(this.text);
    this.pos = SPACE.lastIndex;
  }

  value(): unknown {
    this.space();
    const c = this.text.charCodeAt(this.pos);
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    for (const [word, value] of WORDS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(this.pos >= this.text.length ? "Unexpected end of JSON input" : `Unexpected token '${this.text[this.pos]}'`);
  }

  string(): string {
    STRING.lastIndex = this.pos;
    const m = STRING.exec(this.text);
    if (!m) this.fail("Bad string");
    this.pos = STRING.lastIndex;
    return JSON.parse(m[0]) as string;
  }

  number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail("No number after minus sign");
    this.pos = NUMBER.lastIndex;
    return exactNumber(m[0], m[1] === undefined && m[2] === undefined);
  }

  object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.space();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text.charCodeAt(this.pos) !== 34) this.fail("Expected property name");
      const key = this.string();
      this.space();
      if (this.text.charCodeAt(this.pos) !== 58) this.fail("Expected ':' after property name");
      this.pos++;
      // As JSON.parse does: a key is an own data property, `__proto__` included; a repeated key keeps its last value.
      Object.defineProperty(out, key, { value: this.value(), writable: true, enumerable: true, configurable: true });
      this.space();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 125) return out;
      if (c !== 44) this.fail("Expected ',' or '}' after property value");
    }
  }

  array(): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.space();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 93) return out;
      if (c !== 44) this.fail("Expected ',' or ']' after array element");
    }
  }
}

const WORDS: readonly (readonly [string, unknown])[] = [
  ["true", true],
  ["false", false],
  ["null", null],
];

/** A number literal's value: a BigInt for an integer beyond the safe range, else a double that holds it. */
function exactNumber(literal: string, integer: boolean): number | bigint {
  const n = Number(literal);
  if (integer) return Number.isSafeInteger(n) ? n : BigInt(literal);
  if (!Number.isFinite(n)) throw new JsonNumberError(`the number ${shorten(literal)} is beyond the range of a double (±1.8e308); write it as a string ("…") and cast it to decimal`);
  if (n === 0 && /[1-9]/.test(literal.replace(/[eE].*/, ""))) throw new JsonNumberError(`the number ${shorten(literal)} is too small for a double and would become 0; write it as a string ("…") and cast it to decimal`);
  return n;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** Parses JSON text exactly (see the file's comment); a SyntaxError or JsonNumberError otherwise. */
export function parseJsonExact(text: string): unknown {
  const parser = new Parser(text);
  const value = parser.value();
  parser.space();
  if (parser.pos < text.length) parser.fail(`Unexpected non-whitespace character after JSON`);
  return value;
}

/** True when `value` holds a BigInt or −0 anywhere (what JSON.stringify would refuse or change). */
function needsExact(value: unknown): boolean {
  if (typeof value === "bigint") return true;
  if (value === 0) return 1 / value < 0;
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(needsExact);
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  // for…in, not Object.values: no array per record (this runs once per record written).
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === "object" ? v !== null && needsExact(v) : v === 0 ? 1 / v < 0 : typeof v === "bigint") return true;
  }
  return false;
}

function stringifySlow(value: unknown): string | undefined {
  if (typeof value === "bigint") return value.toString();
  if (value === 0 && 1 / value < 0) return "-0";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === "function") return stringifySlow(toJSON.call(value));
  if (Array.isArray(value)) return `[${value.map((v) => stringifySlow(v) ?? "null").join(",")}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const text = stringifySlow(v);
    if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}

/** JSON.stringify, with BigInts as exact number literals and −0 as `-0` (a walk of the value decides; JSON.stringify does the work unless it would fail or change them). */
export function stringifyJson(value: unknown): string {
  return needsExact(value) ? (stringifySlow(value) as string) : (JSON.stringify(value) as string);
}
