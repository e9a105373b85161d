// "Did you mean": the bounded edit distance agrees with the textbook one, and a search is bounded.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stepIds } from "../../../server/src/pipeline/rules/shared";
import { boundedDistance, closest, editDistance, MAX_CANDIDATES } from "../../../server/src/pipeline/suggest";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { random } from "../../support/random";

/** Optimal string alignment distance, the full table. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

describe("suggest", () => {
  it("boundedDistance is the OSA distance when within the limit, else limit + 1 (random words, short and long)", () => {
    const rnd = random(17);
    const word = (max: number) => Array.from({ length: Math.floor(rnd() * max) }, () => "abc_"[Math.floor(rnd() * 4)]).join("");
    for (let t = 0; t < 20000; t++) {
      const long = t % 50 === 0;
      const a = word(long ? 150 : 9);
      const b = rnd() < 0.5 ? word(long ? 150 : 9) : a.slice(0, Math.floor(rnd() * a.length)) + word(3) + a.slice(Math.floor(rnd() * a.length));
      const limit = Math.floor(rnd() * 5);
      const exact = reference(a, b);
      assert.equal(boundedDistance(a, b, limit), exact <= limit ? exact : limit + 1, `${a} / ${b} / ${limit}`);
      if (!long) assert.equal(editDistance(a, b), exact);
    }
  });

  it("closest: a case-only difference wins, then the nearest, first among equals; too far is nothing", () => {
    assert.equal(closest("retires", ["timeout", "retries", "retry_delay"]), "retries");
    assert.equal(closest("Extract", ["extrat", "extract"]), "extract");
    assert.equal(closest("lod", ["log", "lot"]), "log");
    assert.equal(closest("completely_different", ["extract", "load"]), undefined);
    assert.equal(closest("x".repeat(101), ["x".repeat(100)]), undefined, "no suggestion for very long words");
  });

  it("a search compares at most MAX_CANDIDATES candidates", () => {
    const far = Array.from({ length: MAX_CANDIDATES }, (_, i) => `zzzz_${i}`);
    assert.equal(closest("orders", [...far, "ordres"]), undefined);
    assert.equal(closest("orders", [...far.slice(1), "ordres"]), "ordres");
  });

  it("step ids are searched nearest to the referencing step first, so a big file still suggests its neighbour", () => {
    const steps = Array.from({ length: 3 * MAX_CANDIDATES }, (_, i) => `  - id: step_${i}\n    extract: {connection: raw, path: a.csv}`);
    steps.push("  - id: last\n    depends_on: [stpe_1400]\n    transform: [{limit: 1}]");
    const text = `version: 1\nname: p\nconnections:\n  raw: {type: file}\nsteps:\n${steps.join("\n")}\n`;
    const unknown = validatePipeline(text).problems.find((p) => p.code === "unknown-step");
    assert.equal(unknown?.suggestion, "step_1400");
    const ids = stepIds(validatePipeline("version: 1\nname: p\nsteps:\n  - id: a\n  - {}\n  - id: c\n  - id: d\n  - id: e\n").outline);
    assert.deepEqual([...ids.near(2, "c")], ["d", "a", "e"], "one step away (the step without an id has none), then two");
  });
});
