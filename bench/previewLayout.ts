/** DAG preview layout (elkjs, as the webview runs it) for growing pipelines. */
import { layoutGraph } from "../client/src/preview/layout";
import type { GraphView } from "../client/src/preview/messages";
import { graphMarkup } from "../client/src/preview/render";

function pipeline(n: number): GraphView {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `step_${i}`, kind: (["extract", "transform", "load"] as const)[i % 3] ?? null, connection: i % 3 === 1 ? null : "db", description: null, problems: [] }));
  // A realistic mix: fan-out from a few extracts, chains of transforms, joins of two upstreams.
  const edges = nodes.slice(1).flatMap((node, i) => {
    const a = `step_${Math.floor(i / 2)}`;
    return i % 5 === 0 && i > 10 ? [{ from: a, to: node.id }, { from: `step_${i - 7}`, to: node.id }] : [{ from: a, to: node.id }];
  });
  return { uri: "file:///bench.etl.yaml", version: 1, name: "bench", nodes, edges, cycles: [], missing: [], errorCount: 0 };
}

export async function run(): Promise<void> {
  await layoutGraph(pipeline(50)); // warm the JIT
  const rows: { steps: number; layoutMs: number; markupMs: number; markupKb: number }[] = [];
  for (const n of [50, 100, 250, 500]) {
    const g = pipeline(n);
    const t0 = performance.now();
    const layout = await layoutGraph(g);
    const t1 = performance.now();
    const markup = graphMarkup(g, layout);
    const t2 = performance.now();
    rows.push({ steps: n, layoutMs: Math.round(t1 - t0), markupMs: Math.round(t2 - t1), markupKb: Math.round(markup.length / 1024) });
  }
  console.table(rows);
}
