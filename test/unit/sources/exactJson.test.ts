// JSON numbers read and written exactly: integers beyond 2^53 as BigInts, -0 kept, numbers no
// double can hold refused; everything else exactly as JSON.parse / JSON.stringify give it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JsonNumberError, parseJson, parseJsonExact, stringifyJson } from "../../../server/src/sources/formats/exactJson";
import { random } from "../../support/random";

/** Random JSON text with numbers of every size, strings that look like numbers, nesting and `__proto__` keys. */
function randomJson(rnd: () => number, depth = 0): string {
  const r = rnd();
  if (depth < 3 && r < 0.15) return `[${Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(rnd, depth + 1)).join(", ")}]`;
  if (depth < 3 && r < 0.3) {
    const keys = ["a", "__proto__", "constructor", "b\\\"q", "1234567890123456789"];
    return `{${Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => `${JSON.stringify(keys[(i + Math.floor(rnd() * 5)) % 5])}: ${randomJson(rnd, depth + 1)}`).join(",")}}`;
  }
  const numbers = ["0", "-0", "1.5", "-7", "1e21", "5e-324", "9007199254740991", "9007199254740993", "-9223372036854775808", "12345678901234567890", "0.1", "1E+2", "123456789012345678.5"];
  const others = ['"x"', '"12345678901234567890"', '"\\u00e9\\n"', "true", "false", "null"];
  return r < 0.7 ? (numbers[Math.floor(rnd() * numbers.length)] as string) : (others[Math.floor(rnd() * others.length)] as string);
}

/** What JSON.parse gives, with integer literals beyond 2^53 as exact BigInts instead of doubles. */
function reference(text: string): unknown {
  return JSON.parse(text.replace(/(?<![\w."\\.])(-?\d{16,})(?![\w.eE"])/g, '"BIG:$1"'), (_k, v: unknown) => (typeof v === "string" && v.startsWith("BIG:") ? integer(BigInt(v.slice(4))) : v));
}

const integer = (n: bigint): number | bigint => (Number.isSafeInteger(Number(n)) ? Number(n) : n);

/** A double that is an integer beyond 2^53 is written as its digits and read back as a BigInt: the same number, in the reader's form. */
function readerForm(v: unknown): unknown {
  if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) < 1e21) return BigInt(v);
  if (Array.isArray(v)) return v.map(readerForm);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readerForm(x)]));
  return v;
}

describe("exact JSON numbers", () => {
  it("parses 5,000 random texts as JSON.parse does, but integers beyond 2^53 exactly", () => {
    const rnd = random(7);
    for (let i = 0; i < 5000; i++) {
      const text = randomJson(rnd);
      assert.deepEqual(parseJsonExact(text), reference(text), text);
      assert.deepEqual(parseJson(text), reference(text), text);
    }
  });

  it("writes what it reads: BigInts as their digits, -0 as -0, the rest as JSON.stringify", () => {
    const rnd = random(8);
    for (let i = 0; i < 5000; i++) {
      const value = parseJsonExact(randomJson(rnd));
      assert.deepEqual(parseJsonExact(stringifyJson(value)), readerForm(value));
    }
    assert.equal(stringifyJson({ a: 2n ** 64n, b: -0, c: [0, -0], d: { e: -(2n ** 63n) } }), '{"a":18446744073709551616,"b":-0,"c":[0,-0],"d":{"e":-9223372036854775808}}');
    assert.equal(stringifyJson({ a: 0, b: "x:0," }), '{"a":0,"b":"x:0,"}');
  });

  it("keeps an own `__proto__` key as JSON.parse does", () => {
    const value = parseJsonExact('{"__proto__": 12345678901234567890, "x": 1}') as Record<string, unknown>;
    assert.deepEqual(Object.entries(value), [["__proto__", 12345678901234567890n], ["x", 1]]);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });

  it("refuses numbers no double can hold, and bad JSON as JSON.parse does", () => {
    for (const text of ["1e400", "[-1.5e309]", '{"a": 1e-400}']) assert.throws(() => parseJson(text), (err: unknown) => err instanceof JsonNumberError && /write it as a string/.test(err.message), text);
    assert.deepEqual(parseJson("[0e-400, 0.0e500]"), [0, 0]);
    for (const text of ["[1,]", "{'a': 1}", "01234567890123456", "[1e40", '"\\x"', "12345678901234567890 x"]) assert.throws(() => parseJsonExact(text), SyntaxError, text);
  });
});
