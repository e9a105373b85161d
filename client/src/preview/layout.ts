/**
 * Layered layout with elkjs (run in the webview, never in the extension host), left to right or
 * top to bottom. Nodes are as wide as their labels: a step id is never cut short.
 */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import type { GraphView } from "./messages";

const NODE_HEIGHT = 54;
/** Wide enough for a run's status line ("succeeded · 1,234,567 rows") under a short id. */
export const MIN_NODE_WIDTH = 200;
/** Where the label starts (after the kind icon), the right padding, and room for a problem mark. */
export const LABEL_X = 36;
const RIGHT_PAD = 14;
export const BADGE_SPACE = 30;

export type Direction = "RIGHT" | "DOWN";
/** The two fonts of a node: `label` is the step id, `sub` the line under it. */
export type Measure = (text: string, font: "label" | "sub") => number;

export interface Point {
  x: number;
  y: number;
}
export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface PlacedEdge {
  from: string;
  to: string;
  points: Point[];
  /** A `depends_on` naming no step: `from` is the missing id, drawn as a ghost node. */
  missing: boolean;
}
export interface Layout {
  direction: Direction;
  nodes: Map<string, PlacedNode>;
  /** Missing dependencies, by the id a `depends_on` names. */
  ghosts: Map<string, PlacedNode>;
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  direction?: Direction;
  measure?: Measure;
}

/** Without a DOM (tests, bench): a generous per-character width of the preview's fonts. */
export const estimateText: Measure = (text, font) => text.length * (font === "label" ? 8.2 : 6.4);

let elk: InstanceType<typeof ELK> | undefined;

const OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
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

/** The width a node needs for its id (plus a mark when it has problems) and its second line. */
export function nodeWidth(label: string, sub: string, marked: boolean, measure: Measure): number {
  const text = Math.max(measure(label, "label") + (marked ? BADGE_SPACE : 0), measure(sub, "sub"));
  return Math.max(MIN_NODE_WIDTH, Math.ceil(LABEL_X + text + RIGHT_PAD));
}

/** Lays out the graph; edges between unknown nodes (a typo being typed) become ghost nodes. */
export async function layoutGraph(graph: GraphView, options: LayoutOptions = {}): Promise<Layout> {
  elk ??= new ELK();
  const direction = options.direction ?? "RIGHT";
  const measure = options.measure ?? estimateText;
  const ids = new Set(graph.nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to) && e.from !== e.to).map((e) => ({ ...e, missing: false }));
  const ghostIds = [...new Set(graph.missing.map((m) => m.missing))].filter((id) => !ids.has(id));
  for (const m of graph.missing) if (ids.has(m.step) && !ids.has(m.missing)) edges.push({ from: m.missing, to: m.step, missing: true });
  // ELK ids are our own (n0, g0…): step ids are data, and a ghost may share a name with nothing.
  const elkId = new Map<string, string>();
  const children: ElkNode[] = [];
  graph.nodes.forEach((n, i) => {
    elkId.set(`s:${n.id}`, `n${i}`);
    children.push({ id: `n${i}`, width: nodeWidth(n.id, n.connection ?? n.kind ?? "", n.problems.length > 0, measure), height: NODE_HEIGHT });
  });
  ghostIds.forEach((id, i) => {
    elkId.set(`g:${id}`, `g${i}`);
    children.push({ id: `g${i}`, width: nodeWidth(id, "missing step", true, measure), height: NODE_HEIGHT });
  });
  const root: ElkNode = {
    id: "__root",
    // Fewer crossing-minimisation sweeps on big graphs: layout time stays around a second at 500 steps.
    layoutOptions: { ...OPTIONS, "elk.direction": direction, ...(graph.nodes.length > 150 ? { "elk.layered.thoroughness": "2" } : {}) },
    children,
    edges: edges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [elkId.get(`${e.missing ? "g" : "s"}:${e.from}`) as string], targets: [elkId.get(`s:${e.to}`) as string] })),
  };
  const out = await elk.layout(root);
  const byElk = new Map((out.children ?? []).map((c) => [c.id, c]));
  const place = (key: string, id: string): PlacedNode | undefined => {
    const c = byElk.get(elkId.get(key) ?? "");
    return c ? { id, x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? MIN_NODE_WIDTH, h: c.height ?? NODE_HEIGHT } : undefined;
  };
  const nodes = new Map<string, PlacedNode>();
  for (const n of graph.nodes) {
    const p = place(`s:${n.id}`, n.id);
    if (p) nodes.set(n.id, p);
  }
  const ghosts = new Map<string, PlacedNode>();
  for (const id of ghostIds) {
    const p = place(`g:${id}`, id);
    if (p) ghosts.set(id, p);
  }
  const placed: PlacedEdge[] = (out.edges ?? []).map((e, i) => {
    const section = e.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const src = edges[i] as { from: string; to: string; missing: boolean };
    return { from: src.from, to: src.to, points, missing: src.missing };
  });
  return { direction, nodes, ghosts, edges: placed, width: out.width ?? 0, height: out.height ?? 0 };
}
