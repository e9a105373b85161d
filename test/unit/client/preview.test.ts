import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeXml } from "../../../client/src/preview/escape";
import { layoutGraph } from "../../../client/src/preview/layout";
import type { GraphView } from "../../../client/src/preview/messages";
import { nextNode } from "../../../client/src/preview/navigate";
import { graphMarkup, nodeLabel, standaloneSvg } from "../../../client/src/preview/render";
import { resolveCssVariables } from "../../../client/src/preview/styles";
import { ensureVisible, fit, zoomAt } from "../../../client/src/preview/viewport";

const HOSTILE = `<img src=x onerror="alert(1)">&'`;

function graph(): GraphView {
  return {
    uri: "file:///w/p.etl.yaml", version: 1, name: "p", cycles: [], missing: [], errorCount: 0,
    nodes: [
      { id: "extract_a", kind: "extract", connection: "db", description: HOSTILE, problems: [] },
      { id: "extract_b", kind: "extract", connection: `</text><script>x</script>`, description: null, problems: [] },
      { id: "join_ab", kind: "transform", connection: null, description: null, problems: [] },
      { id: "load", kind: "load", connection: "out", description: null, problems: [] },
    ],
    edges: [{ from: "extract_a", to: "join_ab" }, { from: "extract_b", to: "join_ab" }, { from: "join_ab", to: "load" }],
  };
}

describe("DAG preview (pure parts)", () => {
  it("escapes every label and tooltip", () => {
    assert.equal(escapeXml(HOSTILE), "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
  });

  it("lays out left to right in layers with edges that avoid nodes", async () => {
    const g = graph();
    const layout = await layoutGraph(g);
    // Nodes differ in width (each fits its labels): compare centres.
    const x = (id: string): number => { const p = layout.nodes.get(id); return p ? p.x + p.w / 2 : NaN; };
    assert.ok(x("extract_a") < x("join_ab") && x("extract_b") < x("join_ab") && x("join_ab") < x("load"), "each layer sits right of its upstream");
    assert.ok(Math.abs(x("extract_a") - x("extract_b")) < 20, "both extracts in the first layer");
    assert.equal(layout.edges.length, 3);
    for (const e of layout.edges) assert.ok(e.points.length >= 2, "every edge is routed");
    const markup = graphMarkup(g, layout, { load: { state: "succeeded", rows: 1234, attempt: 1, error: null, checks: [] } });
    assert.ok(!markup.includes("<img") && !markup.includes("<script") && !markup.includes('onerror="'), "no markup from the pipeline file survives");
    assert.ok(markup.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
    assert.equal((markup.match(/class="node /g) ?? []).length, 4);
    assert.match(markup, /state-succeeded[^>]*>[\s\S]*?1,234 rows/);
    assert.equal((markup.match(/tabindex="0"/g) ?? []).length, 1, "one tab stop: arrows move inside the graph");
    const svg = standaloneSvg(g, layout, {}, ".node{fill:red}</style><script>");
    assert.ok(svg.startsWith("<?xml") && !svg.includes("</style><script>"));
  });

  it("marks a node whose check failed: red for an error check, amber for a warn check, none without", async () => {
    const g = graph();
    const layout = await layoutGraph(g);
    const failed = { state: "failed" as const, rows: 20, attempt: 1, error: "check failed", checks: [{ check: "unique: [order_id]", severity: "error" as const, message: "1 of 20 records repeats <b>3</b>" }] };
    const warned = { state: "succeeded" as const, rows: 20, attempt: 1, error: null, checks: [{ check: "not_null: [email]", severity: "warn" as const, message: null }] };
    const markup = graphMarkup(g, layout, { extract_a: failed, extract_b: warned, join_ab: { ...warned, checks: [] } });
    const of = (id: string) => markup.slice(markup.indexOf(`data-id="${id}"`), markup.indexOf("</title>", markup.indexOf("check-mark", markup.indexOf(`data-id="${id}"`))) + 8);
    assert.match(of("extract_a"), /class="check-mark error"[^>]*><title>check failed: unique: \[order_id\]\n1 of 20 records repeats &lt;b&gt;3&lt;\/b&gt;<\/title>/);
    assert.match(of("extract_b"), /class="check-mark warning"[^>]*><title>warn check failed: not_null: \[email\]<\/title>/);
    assert.equal((markup.match(/class="check-mark/g) ?? []).length, 2, "no mark on a node without failed checks");
    assert.equal(nodeLabel(g.nodes[0]!, failed), "Step extract_a, extract, connection db, failed, 20 rows, check failed: unique: [order_id], check failed");
  });

  it("lays out 500 steps", async () => {
    const nodes = Array.from({ length: 500 }, (_, i) => ({ id: `s${i}`, kind: "transform" as const, connection: null, description: null, problems: [] }));
    // Fifty chains of ten (wide fan-out trees are the bench's and the e2e test's job).
    const edges = nodes.filter((_, i) => i % 10 !== 0).map((n) => ({ from: `s${Number(n.id.slice(1)) - 1}`, to: n.id }));
    const layout = await layoutGraph({ ...graph(), nodes, edges });
    assert.equal(layout.nodes.size, 500);
    assert.equal(layout.edges.length, 450);
    const xs = new Set([...layout.nodes.values()].map((n) => n.x));
    assert.equal(xs.size, 10, "ten layers");
  });

  it("moves between nodes with arrow keys along edges", async () => {
    const layout = await layoutGraph(graph());
    assert.equal(nextNode(layout, "extract_a", "right"), "join_ab");
    assert.equal(nextNode(layout, "join_ab", "right"), "load");
    assert.ok(["extract_a", "extract_b"].includes(nextNode(layout, "join_ab", "left") ?? ""));
    const down = nextNode(layout, "extract_a", "down") ?? nextNode(layout, "extract_a", "up");
    assert.equal(down, "extract_b");
  });

  it("zooms around a point, fits and reveals", () => {
    const z = zoomAt({ x: 0, y: 0, k: 1 }, 2, 100, 50);
    assert.deepEqual(z, { k: 2, x: -100, y: -50 });
    const f = fit(1000, 500, 520, 300, 10);
    assert.equal(f.k, 0.5);
    assert.deepEqual([f.x, f.y], [10, 25]);
    const v = { x: 0, y: 0, k: 1 };
    assert.equal(ensureVisible(v, { x: 10, y: 10, w: 50, h: 20 }, 400, 300, 5), v);
    assert.deepEqual(ensureVisible(v, { x: 1000, y: 0, w: 200, h: 100 }, 400, 300), { k: 1, x: -900, y: 100 });
  });

  it("speaks a node's state and resolves theme colours for export", () => {
    assert.equal(nodeLabel(graph().nodes[0]!, { state: "failed", rows: 2, attempt: 3, error: "boom", checks: [] }), "Step extract_a, extract, connection db, failed, 2 rows, boom");
    const css = resolveCssVariables(".a{fill:var(--x, #111)} .b{stroke:var(--missing, var(--y, rgba(1, 2, 3, 0.5)))}", (n) => (n === "--y" ? " #abc " : ""));
    assert.equal(css, ".a{fill:#111} .b{stroke:#abc}");
  });
});
