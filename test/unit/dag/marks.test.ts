import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { missingDependencies, problemsByStep } from "../../../server/src/dag/marks";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { VALID, yaml } from "../helpers";

describe("marks for the DAG preview", () => {
  it("gives each step the problems inside it, whatever rule made them", () => {
    const text = VALID.replace("depends_on: [orders]", "depends_on: [ordres, orders]").replace("connection: out", "connection: nowhere");
    const { outline, problems } = validatePipeline(text);
    const by = problemsByStep(outline, problems);
    assert.deepEqual(by.get("paid")?.map((p) => p.code), ["unknown-step"]);
    assert.deepEqual(by.get("save")?.map((p) => p.code), ["unknown-connection"]);
    assert.equal(by.get("orders"), undefined);
    for (const [id, list] of by) {
      const step = outline.steps.find((s) => s.id?.name === id);
      for (const p of list) assert.ok(step && p.span.start >= step.span.start && p.span.start < step.span.end, `${p.code} lies inside ${id}`);
    }
  });

  it("leaves out problems outside every step (connections, top-level keys)", () => {
    const text = VALID.replace("version: 1", "version: 1\nretries: 3").replace("    type: file\n    root: ./data", "    type: nosuch\n    root: ./data");
    const { outline, problems } = validatePipeline(text);
    assert.ok(problems.length >= 2, problems.map((p) => p.code).join());
    assert.equal(problemsByStep(outline, problems).size, 0);
  });

  it("lists each dependency on no step once, per step", () => {
    const text = yaml(
      "version: 1",
      "steps:",
      "  - id: a",
      "    depends_on: [ghost, ghost, b]",
      "    transform: []",
      "  - id: b",
      "    depends_on: [ghost, \"<img onerror=x>\"]",
      "    transform: []",
    );
    const { outline } = validatePipeline(text);
    assert.deepEqual(missingDependencies(outline), [
      { step: "a", missing: "ghost" },
      { step: "b", missing: "ghost" },
      { step: "b", missing: "<img onerror=x>" },
    ]);
    assert.deepEqual(missingDependencies(validatePipeline(VALID).outline), []);
  });
});
