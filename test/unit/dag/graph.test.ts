import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyze, downstreamClosure, type DagEdge, type DagNode } from "../../../server/src/dag/graph";
import { dagToDot, dagToJson, dagToMermaid, dagToText } from "../../../server/src/dag/render";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { VALID } from "../helpers";

const node = (id: string): DagNode => ({ id, span: { start: 0, end: 0 }, idSpan: { start: 0, end: 0 } });
const edge = (from: string, to: string, at = 0): DagEdge => ({ from, to, span: { start: at, end: at } });

/** Checks that every edge goes from an earlier to a later position in `order`. */
function assertTopological(order: string[], edges: DagEdge[]): void {
  const pos = new Map(order.map((id, i) => [id, i]));
  for (const e of edges) assert.ok((pos.get(e.from) ?? -1) < (pos.get(e.to) ?? -1), `${e.from} before ${e.to}`);
}

describe("graph", () => {
  it("orders, levels and renders the example pipeline", () => {
    const { dag } = validatePipeline(VALID);
    assert.deepEqual(dag.order, ["orders", "paid", "save"]);
    assert.deepEqual(dag.levels, [["orders"], ["paid"], ["save"]]);
    assert.deepEqual(dagToJson(dag), {
      nodes: [
        { id: "orders", kind: "extract", connection: "raw" },
        { id: "paid", kind: "transform", connection: null },
        { id: "save", kind: "load", connection: "out" },
      ],
      edges: [
        { from: "orders", to: "paid" },
        { from: "paid", to: "save" },
      ],
      levels: [["orders"], ["paid"], ["save"]],
    });
    assert.equal(dagToText(dag, "orders_daily").split("\n")[0], "orders_daily: 3 steps, 2 dependencies, 3 levels");
    assert.match(dagToText(dag), / {2}paid \(transform\) ← orders/);
    assert.match(dagToMermaid(dag), /^flowchart LR\n {2}orders\["orders<br\/><small>extract · raw<\/small>"\]/);
    assert.match(dagToDot(dag, "p"), /"orders" -> "paid";/);
  });

  it("diamond: levels put parallel steps together", () => {
    const dag = analyze([node("a"), node("b"), node("c"), node("d")], [edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d")]);
    assert.deepEqual(dag.levels, [["a"], ["b", "c"], ["d"]]);
    assert.deepEqual(dag.cycles, []);
    assert.deepEqual([...downstreamClosure(dag, "b")].sort(), ["b", "d"]);
  });

  it("a 10,000-step chain: order, 10,000 levels, no recursion limits", () => {
    const n = 10000;
    const nodes = Array.from({ length: n }, (_, i) => node(`s${i}`));
    const edges = Array.from({ length: n - 1 }, (_, i) => edge(`s${i}`, `s${i + 1}`));
    const dag = analyze(nodes, edges);
    assert.equal(dag.order.length, n);
    assert.equal(dag.levels.length, n);
    assertTopological(dag.order, edges);
    assert.equal(downstreamClosure(dag, "s0").size, n);
  });

  it("a 10,000-step cycle is found without recursion", () => {
    const n = 10000;
    const nodes = Array.from({ length: n }, (_, i) => node(`s${i}`));
    const edges = Array.from({ length: n }, (_, i) => edge(`s${i}`, `s${(i + 1) % n}`, i));
    const dag = analyze(nodes, edges);
    assert.equal(dag.cycles.length, 1);
    assert.equal(dag.cycles[0]?.path.length, n + 1);
    assert.equal(dag.cycles[0]?.path[0], dag.cycles[0]?.path[n]);
  });

  it("a wide fan-out and fan-in: 5,000 parallel steps in one level", () => {
    const mids = Array.from({ length: 5000 }, (_, i) => `m${i}`);
    const dag = analyze([node("src"), ...mids.map(node), node("sink")], [...mids.map((m) => edge("src", m)), ...mids.map((m) => edge(m, "sink"))]);
    assert.deepEqual(dag.levels.map((l) => l.length), [1, 5000, 1]);
    assert.equal(dag.order[dag.order.length - 1], "sink");
  });

  it("steps downstream of a cycle are not ordered, and each cycle is reported once", () => {
    const dag = analyze([node("a"), node("b"), node("c"), node("x"), node("y")], [edge("a", "b"), edge("b", "a"), edge("b", "c"), edge("x", "y"), edge("y", "x")]);
    assert.deepEqual(dag.order, []);
    assert.deepEqual(dag.cycles.map((c) => c.path.join(">")).sort(), ["a>b>a", "x>y>x"]);
  });

  it("renderers escape labels", () => {
    const dag = analyze([{ ...node('we"ird'), kind: "extract", connection: 'c"<x>' }], []);
    assert.match(dagToMermaid(dag), /#quot;/);
    assert.doesNotMatch(dagToMermaid(dag).split("\n")[1] ?? "", /<x>/);
    assert.match(dagToDot(dag), /"we\\"ird"/);
  });
});
