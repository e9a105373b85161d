import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { estimateText, LABEL_X, layoutGraph, MIN_NODE_WIDTH, nodeWidth } from "../../../client/src/preview/layout";
import type { GraphNode, GraphView } from "../../../client/src/preview/messages";
import { nextNode } from "../../../client/src/preview/navigate";
import { graphMarkup, nodeLabel } from "../../../client/src/preview/render";
import { clampPan, directionFor, initialView, READABLE_SCALE, SMALL_GRAPH } from "../../../client/src/preview/viewport";

const node = (id: string, extra: Partial<GraphNode> = {}): GraphNode => ({ id, kind: "transform", connection: null, description: null, problems: [], ...extra });
const view = (nodes: GraphNode[], edges: { from: string; to: string }[], missing: GraphView["missing"] = []): GraphView =>
  ({ uri: "file:///w/v.etl.yaml", version: 1, name: "v", cycles: [], errorCount: 0, nodes, edges, missing });

describe("DAG preview: readable at its default size", () => {
  it("sizes every node to its whole id: long ids are never cut", async () => {
    const long = `extract_${"very_long_name_".repeat(6)}end`;
    const layout = await layoutGraph(view([node(long), node("b")], [{ from: long, to: "b" }]));
    const p = layout.nodes.get(long);
    assert.ok(p && p.w >= LABEL_X + estimateText(long, "label"), `node ${p?.w} px holds its ${long.length}-character id`);
    assert.equal(layout.nodes.get("b")?.w, MIN_NODE_WIDTH);
    const markup = graphMarkup(view([node(long), node("b")], []), layout);
    assert.ok(markup.includes(`>${long}</text>`), "the label is the whole id");
    assert.ok(!markup.includes("…"));
    // A node with problems makes room for its mark; a longer connection widens it too.
    assert.ok(nodeWidth("a".repeat(30), "", true, estimateText) > nodeWidth("a".repeat(30), "", false, estimateText));
    assert.ok(nodeWidth("a", "c".repeat(60), false, estimateText) > MIN_NODE_WIDTH);
  });

  it("lays out top to bottom on request; arrows follow edges downward then", async () => {
    const g = view([node("a"), node("b"), node("c")], [{ from: "a", to: "b" }, { from: "b", to: "c" }]);
    const down = await layoutGraph(g, { direction: "DOWN" });
    const y = (id: string): number => down.nodes.get(id)?.y ?? NaN;
    assert.ok(y("a") < y("b") && y("b") < y("c"));
    assert.ok(down.height > down.width, "a chain top to bottom is taller than wide");
    assert.equal(nextNode(down, "a", "down"), "b");
    assert.equal(nextNode(down, "c", "up"), "b");
    assert.equal(directionFor(626, 900, undefined), "DOWN");
    assert.equal(directionFor(1200, 500, undefined), "RIGHT");
    assert.equal(directionFor(600, 620, "RIGHT"), "RIGHT", "near square keeps the current direction");
    assert.equal(directionFor(600, 620, "DOWN"), "DOWN");
  });

  it("draws a missing dependency as a dashed edge from a ghost node named after the missing id", async () => {
    const hostile = `<img src=x onerror="1">`;
    const g = view([node("a"), node("b", { problems: [{ code: "unknown-step", severity: "error", message: "no step" }] })], [{ from: "a", to: "b" }],
      [{ step: "b", missing: "ghost_step" }, { step: "a", missing: "ghost_step" }, { step: "b", missing: hostile }]);
    const layout = await layoutGraph(g);
    assert.deepEqual([...layout.ghosts.keys()].sort(), [hostile, "ghost_step"].sort());
    assert.deepEqual(layout.edges.filter((e) => e.missing).map((e) => `${e.from}→${e.to}`).sort(), [`${hostile}→b`, "ghost_step→a", "ghost_step→b"].sort());
    const ghost = layout.ghosts.get("ghost_step");
    const b = layout.nodes.get("b");
    assert.ok(ghost && b && ghost.x + ghost.w <= b.x, "the ghost sits upstream of its dependents");
    const markup = graphMarkup(g, layout);
    assert.equal((markup.match(/class="ghost"/g) ?? []).length, 2);
    assert.equal((markup.match(/class="edge missing"/g) ?? []).length, 3);
    assert.equal((markup.match(/class="node /g) ?? []).length, 2, "ghosts are not steps");
    assert.ok(markup.includes(">ghost_step</text>") && markup.includes("named in depends_on of b, a"));
    assert.ok(!markup.includes("<img"), "a missing id is escaped too");
    assert.match(markup, /class="node kind-transform state-none has-error" data-id="b"[\s\S]*?class="badge error"[\s\S]*?>1<\/text>/);
    assert.match(nodeLabel(g.nodes[1] as GraphNode, undefined), /1 error/);
  });

  it("opens small pipelines at 100% and big ones no smaller than readable", () => {
    const small = initialView(3000, 400, 626, 800, SMALL_GRAPH);
    assert.equal(small.k, 1, "a pipeline of 40 steps opens at 100% even when it is wider than the pane");
    assert.equal(small.x, 16, "starts at its sources");
    assert.equal(small.y, (800 - 400) / 2, "the axis that fits is centred");
    assert.equal(initialView(300, 200, 626, 800, 3).k, 1, "never enlarged");
    assert.equal(initialView(8000, 6000, 626, 800, 500).k, READABLE_SCALE);
    const mid = initialView(800, 600, 626, 800, 60);
    assert.ok(mid.k < 1 && mid.k >= READABLE_SCALE && 800 * mid.k <= 626, `fits when it can: ${mid.k}`);
  });

  it("a pan keeps part of the graph on screen", () => {
    const v = clampPan({ k: 1, x: -5000, y: 3000 }, 1000, 500, 600, 400);
    assert.equal(v.x, 48 - 1000);
    assert.equal(v.y, 400 - 48);
    const ok = { k: 1, x: -100, y: 10 };
    assert.deepEqual(clampPan(ok, 1000, 500, 600, 400), ok);
  });
});
