/** `markBehind`: the mark an incremental extract with `lag` reads after. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { markBehind } from "../../../server/src/runner/marks";

describe("markBehind", () => {
  it("moves timestamps back by a duration, keeping microseconds and whether the mark had an offset", () => {
    assert.equal(markBehind("2024-01-05T10:00:00.123456Z", "10m"), "2024-01-05T09:50:00.123456Z");
    assert.equal(markBehind("2024-01-05 10:00:00+02", "1h"), "2024-01-05T07:00:00.000000Z");
    assert.equal(markBehind("2024-01-05T10:00:00", "90s"), "2024-01-05T09:58:30.000000");
    assert.equal(markBehind("2024-01-05", "1d"), "2024-01-04T00:00:00.000000");
    assert.equal(markBehind("1970-01-01T00:00:00.5Z", "1s"), "1969-12-31T23:59:59.500000Z");
  });

  it("moves numbers back exactly, beyond a double's range too", () => {
    assert.equal(markBehind(100, 7), 93);
    assert.equal(markBehind("12345678901234567890", 10), "12345678901234567880");
    assert.equal(markBehind("10.5", 1), "9.5");
  });

  it("refuses a lag of the wrong kind for the mark", () => {
    assert.throws(() => markBehind("2024-01-05T10:00:00Z", 5), /`lag: 5` is a number, but the mark "2024-01-05T10:00:00Z" is not; give a duration/);
    assert.throws(() => markBehind(42, "10m"), /`lag: 10m` is a duration, but the mark 42 is not a date or timestamp; give a number/);
  });
});
