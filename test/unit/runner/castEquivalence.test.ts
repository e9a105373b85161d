// The cast's fast checks (no RegExp, no trim when there is nothing to trim) must accept and reject
// exactly what the plain definitions do, and convert to the same values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ColumnType } from "../../../server/src/pipeline/model";
import { castStage } from "../../../server/src/runner/transforms/cast";
import { random } from "../../support/random";

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** What the cast must give for a string, from the definitions (undefined: it must fail). */
function expected(type: ColumnType, v: string): unknown {
  if (v === "") return null;
  const t = v.trim();
  if (type === "integer") {
    if (!INTEGER.test(t)) return undefined;
    if (Number.isSafeInteger(Number(t))) return Number(t);
    // Beyond a double's exact integers: exact (a BigInt) while 64 bits hold it.
    const big = BigInt(t);
    return big >= -(2n ** 63n) && big < 2n ** 63n ? big : undefined;
  }
  if (type === "number") return DECIMAL.test(t) ? Number(t) : undefined;
  return DECIMAL.test(t) ? t : undefined;
}

const PIECES = ["0", "1", "9", "42", ".", "-", "+", "e", "E", " ", "\t", "\u00a0", "x", "00", "1e5", ".5", "5.", "--", "9007199254740993", "9223372036854775807", "١"];

describe("cast: fast checks equal the definitions", () => {
  for (const type of ["integer", "number", "decimal"] as const) {
    it(`${type}: 20,000 random strings`, () => {
      const rnd = random(type.length);
      const cast = castStage({ v: type }, 0);
      for (let i = 0; i < 20_000; i++) {
        let s = "";
        for (let k = Math.floor(rnd() * 5); k >= 0; k--) s += PIECES[Math.floor(rnd() * PIECES.length)];
        const want = expected(type, s);
        let got: unknown;
        try {
          got = cast([{ v: s }])[0]?.v;
        } catch {
          got = undefined;
        }
        assert.deepEqual(got, want, `${type} of ${JSON.stringify(s)}`);
      }
    });
  }
});
