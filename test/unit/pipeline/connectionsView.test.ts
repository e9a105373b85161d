// What `analyze` needs of a file: valid connections. Errors elsewhere are set aside; errors in the connections refuse it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectionsView } from "../../../server/src/pipeline/connectionsView";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { VALID } from "../helpers";

const view = (text: string) => connectionsView(text, validatePipeline(text));
const CONNECTIONS = { raw: { type: "file", root: "./data" }, out: { type: "file" } };

describe("connectionsView", () => {
  it("a valid file: the whole pipeline, nothing set aside", () => {
    const v = view(VALID);
    assert.ok(v.ok);
    assert.deepEqual(v.elsewhere, []);
    assert.deepEqual(v.pipeline.connections, CONNECTIONS);
  });

  const elsewhere: [string, string, string, string[]][] = [
    ["an extract still missing its path", "      path: orders.csv", "      path:", ["paid", "save"]],
    ["an unknown key in a step", "    depends_on: [paid]\n", "    depends_on: [paid]\n    retires: 2\n", ["orders", "paid"]],
    ["a step naming a step not written yet", "depends_on: [paid]", "depends_on: [pad]", ["orders", "paid", "save"]],
    ["a missing name", "name: orders_daily\n", "", ["orders", "paid", "save"]],
  ];
  for (const [what, from, to, steps] of elsewhere) {
    it(`${what}: the connections and the steps valid on their own; the errors set aside`, () => {
      const text = VALID.replace(from, to);
      const v = view(text);
      assert.ok(v.ok, JSON.stringify(v));
      assert.deepEqual(v.pipeline.connections, CONNECTIONS);
      assert.deepEqual(v.pipeline.steps.map((s) => s.id), steps);
      const errors = validatePipeline(text).problems.filter((p) => p.severity === "error");
      assert.ok(errors.length > 0);
      assert.deepEqual(v.elsewhere, errors);
    });
  }

  const inside: [string, string, string][] = [
    ["an unknown connection type", "    type: file\n    root: ./data", "    type: fil\n    root: ./data"],
    ["an unknown key in a connection", "    root: ./data", "    root: ./data\n    rot: x"],
    ["a connection with a wrong value", "    root: ./data", "    root: [a]"],
    ["a broken YAML file", "    root: ./data", "    root: {a: ${env:X}}"],
  ];
  for (const [what, from, to] of inside) {
    it(`${what}: refused, with the errors in the connections`, () => {
      const text = VALID.replace(from, to);
      const v = view(text);
      assert.equal(v.ok, false);
      if (v.ok) return;
      assert.ok(v.refusals.length > 0);
      const start = text.indexOf("connections:");
      const end = text.indexOf("steps:");
      for (const p of v.refusals) assert.ok(p.span.start >= start && p.span.end <= end, `${p.message} at ${p.span.start}`);
    });
  }
});
