import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCount } from "../../../server/src/runner/progress";
import { random as seeded } from "../../support/random";

describe("formatCount", () => {
  it("groups thousands exactly as toLocaleString('en-US') does", () => {
    const random = seeded(7);
    const values = [0, 1, -1, 12, 999, 1000, -1000, 999_999, 1_000_000, 1_234_567, -98_765_432, Number.MAX_SAFE_INTEGER, 1.5, -2.25, 1e21, Number.NaN, Infinity];
    for (let i = 0; i < 2000; i++) values.push(Math.floor(random() * 10 ** Math.floor(random() * 16)) * (random() < 0.2 ? -1 : 1));
    for (const n of values) assert.equal(formatCount(n), n.toLocaleString("en-US"), String(n));
  });
});
