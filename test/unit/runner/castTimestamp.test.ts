import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { castStage } from "../../../server/src/runner/transforms/cast";

/** What a timestamp cast must give: the instant in canonical ISO form (or a failure), as Date does. */
function reference(text: string): string | undefined {
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function cast(text: string): string | undefined {
  try {
    return castStage({ at: "timestamp" }, 0)([{ at: text }])[0]?.at as string;
  } catch {
    return undefined;
  }
}

describe("cast to timestamp, canonical UTC fast path", () => {
  it("agrees with Date on valid and invalid calendar fields", () => {
    const texts = [
      "2024-01-31T12:00:00Z", "2024-01-31T12:00:00.123Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2000-02-29T23:59:59Z",
      "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z",
      "2024-01-01T23:59:60Z", "2024-1-01T00:00:00Z", "2024-01-01T00:00:00.5Z", "2024-01-01T00:00:0aZ", "2024-01-01T00:00:00.12aZ", "2024-12-31T23:59:59.999Z",
    ];
    for (const text of texts) assert.equal(cast(text), reference(text), text);
  });

  it("agrees with Date on many generated timestamps", () => {
    for (let i = 0; i < 5000; i++) {
      const y = 1900 + ((i * 37) % 300);
      const mo = 1 + ((i * 7) % 12);
      const d = 1 + ((i * 11) % 31);
      const text = `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:${String((i * 13) % 60).padStart(2, "0")}${i % 2 ? ".250" : ""}Z`;
      assert.equal(cast(text), reference(text), text);
    }
  });
});
