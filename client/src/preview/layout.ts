/** Layered left-to-right layout with elkjs (run in the webview, never in the extension host). */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { GraphView } from "./messages";

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 54;

export interface Point {
  x: number;
  y: number;
}
export interface PlacedNode {
  id: string;
  x: number;
  y: number;
}
export interface PlacedEdge {
  from: string;
  to: string;
  points: Point[];
}
export interface Layout {
  nodes: Map<string, PlacedNode>;
  edges: PlacedEdge[];
  width: number;
  height: number;
}

let elk: InstanceType<typeof ELK> | undefined;

const OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.nodeNode": "22",
  "elk.spacing.edgeNode": "14",
  "elk.spacing.edgeEdge": "8",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
  "elk.separateConnectedComponents": "true",
  "elk.padding": "[top=24,left=24,bottom=24,right=24]",
};

/** Lays out the graph; edges between unknown nodes (a typo being typed) are left out. */
export async function layoutGraph(graph: GraphView): Promise<Layout> {
  elk ??= new ELK();
  const ids = new Set(graph.nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to);
  const root: ElkNode = {
    id: "__root",
    // Fewer crossing-minimisation sweeps on big graphs: layout time stays around a second at 500 steps.
    layoutOptions: graph.nodes.length > 150 ? { ...OPTIONS, "elk.layered.thoroughness": "2" } : OPTIONS,
    children: graph.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: edges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const out = await elk.layout(root);
  const nodes = new Map<string, PlacedNode>();
  for (const c of out.children ?? []) nodes.set(c.id, { id: c.id, x: c.x ?? 0, y: c.y ?? 0 });
  const placed: PlacedEdge[] = (out.edges ?? []).map((e, i) => {
    const section = e.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const src = edges[i] as { from: string; to: string };
    return { from: src.from, to: src.to, points };
  });
  return { nodes, edges: placed, width: out.width ?? 0, height: out.height ?? 0 };
}
