/** Ordering high-water marks as PostgreSQL orders the columns they come from. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareMarks, laterMark, type Mark } from "../../../server/src/runner/marks";

const sign = (a: Mark, b: Mark) => Math.sign(compareMarks(a, b));

describe("compareMarks", () => {
  it("numbers and decimal text compare as numbers, exactly", () => {
    assert.equal(sign(9, 10), -1, "not as text, where '9' > '10'");
    assert.equal(sign("9", 10), -1);
    assert.equal(sign(7, "7"), 0);
    assert.equal(sign("12.50", "12.5"), 0);
    assert.equal(sign("-3", 2), -1);
    // int8 beyond 2^53 arrives as text: one apart, which Number() cannot tell.
    assert.equal(sign("9007199254740993", "9007199254740992"), 1);
    assert.equal(sign(1e21, "999999999999999999999"), 1);
  });

  it("ISO timestamps compare as instants, offsets and microseconds included", () => {
    assert.equal(sign("2024-01-01T10:00:00+02:00", "2024-01-01T09:00:00+00:00"), -1, "08:00 UTC is before 09:00 UTC");
    assert.equal(sign("2024-01-01T10:00:00.000001+00:00", "2024-01-01T10:00:00+00:00"), 1);
    assert.equal(sign("2024-01-08 00:00:00+00", "2024-01-08T00:00:00.000000+00:00"), 0, "an `initial` as written in YAML");
    assert.equal(sign("2024-01-08", "2024-01-07T23:59:59.999999Z"), 1);
    assert.equal(sign("2023-12-31T23:30:00-01:00", "2024-01-01T00:15:00Z"), 1);
  });

  it("anything else compares as text", () => {
    assert.equal(sign("b", "a"), 1);
    assert.equal(sign("order-10", "order-9"), -1);
  });

  it("laterMark keeps the larger, and the first of equals", () => {
    assert.equal(laterMark(7, 5), 7);
    assert.equal(laterMark(5, "7"), "7");
    assert.equal(laterMark("7.0", 7), "7.0");
  });
});
