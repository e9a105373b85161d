import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { layoutGraph } from "../../../client/src/preview/layout";
import type { GraphView } from "../../../client/src/preview/messages";
import { directionOf, nextNode } from "../../../client/src/preview/navigate";
import { toCssTransform, toTransform, zoomAt, MAX_SCALE, MIN_SCALE } from "../../../client/src/preview/viewport";
import { applyExit, initialRunState, isFinished, summary } from "../../../client/src/run/runStatus";

function chain(): GraphView {
  return {
    uri: "file:///w/k.etl.yaml", version: 1, name: "k", cycles: [], missing: [], errorCount: 0,
    nodes: ["a", "b", "c", "side"].map((id) => ({ id, kind: "transform", connection: null, description: null, problems: [] })),
    edges: [{ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "a", to: "side" }],
  };
}

describe("DAG preview keyboard and view transforms", () => {
  it("maps arrow keys to directions and ignores other keys", () => {
    assert.deepEqual(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Enter", "a"].map(directionOf), ["left", "right", "up", "down", undefined, undefined]);
  });

  it("walks the laid-out graph with arrow keys: right follows edges, left goes back upstream", async () => {
    const layout = await layoutGraph(chain());
    const right = nextNode(layout, "a", "right");
    assert.ok(right === "b" || right === "side", `right of a is one of its downstream steps, got ${right}`);
    assert.equal(nextNode(layout, "b", "right"), "c");
    assert.equal(nextNode(layout, "c", "left"), "b");
    assert.equal(nextNode(layout, "a", "left"), undefined, "nothing left of the first level");
    assert.equal(nextNode(layout, "nope", "right"), undefined);
    const [bSide] = [nextNode(layout, "b", "down") ?? nextNode(layout, "b", "up")];
    assert.equal(bSide, "side", "up/down moves to the node beside it on the same level");
  });

  it("writes SVG and CSS transforms of the same view, and clamps zoom", () => {
    const v = { k: 1.5, x: 10.123, y: -4 };
    assert.equal(toTransform(v), "translate(10.12 -4.00) scale(1.5000)");
    assert.equal(toCssTransform(v), "translate(10.12px, -4.00px) scale(1.5000)");
    assert.equal(zoomAt({ k: 1, x: 0, y: 0 }, 1e9, 0, 0).k, MAX_SCALE);
    assert.equal(zoomAt({ k: 1, x: 0, y: 0 }, 1e-9, 0, 0).k, MIN_SCALE);
  });
});

describe("run status: the end of the process", () => {
  const start = initialRunState("/w/orders.etl.yaml", ["extract", "load"], 1000);

  it("an exit without events: 0 succeeded, no code (killed) cancelled, other codes failed", () => {
    assert.equal(applyExit(start, 0, 2000).phase, "succeeded");
    const killed = applyExit(start, undefined, 2000);
    assert.equal(killed.phase, "cancelled");
    assert.ok(isFinished(killed));
    assert.match(summary(killed), /was cancelled after 0\/2 steps/);
    const failed = applyExit(start, 2, 2000);
    assert.equal(failed.phase, "failed");
    assert.match(summary(failed), /the run exited with code 2/);
  });

  it("a run the stream called succeeded but whose process exited non-zero is failed", () => {
    const done = applyExit(start, 0, 2000);
    assert.equal(applyExit(done, 1, 3000).phase, "failed");
    assert.equal(applyExit(done, 0, 3000).phase, "succeeded");
    assert.equal(isFinished(start), false);
  });
});
