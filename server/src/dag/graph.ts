/**
 * The pipeline graph: nodes are steps, an edge `a → b` means b depends on a. Topological order,
 * levels and cycles are computed iteratively in O(V+E), so a 10,000-step chain is no problem.
 */
import type { StepKind } from "../pipeline/model";
import type { PipelineOutline, Ref } from "../pipeline/outline";
import type { Span } from "../pipeline/problem";
import { stronglyConnected } from "./scc";

export interface DagNode {
  id: string;
  kind?: StepKind;
  connection?: string;
  description?: string;
  /** Span of the whole step item and of its id value. */
  span: Span;
  idSpan: Span;
}

export interface DagEdge {
  from: string;
  to: string;
  /** Where the edge is written: the `depends_on` entry in the downstream step. */
  span: Span;
}

export interface Cycle {
  /** Step ids along the cycle, first repeated at the end: `a → b → a` is `[a, b, a]`. */
  path: string[];
  /** The edges of the cycle, in path order. */
  edges: DagEdge[];
}

export interface Dag {
  nodes: DagNode[];
  edges: DagEdge[];
  /** Topological order of the acyclic part (steps in cycles are left out). */
  order: string[];
  /** Level i holds the steps whose longest upstream chain has i steps; steps of one level can run in parallel. */
  levels: string[][];
  cycles: Cycle[];
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
}

/** Builds the graph from an outline. The first step with a given id wins; unknown ids are ignored (rules report them). */
export function buildDag(outline: PipelineOutline): Dag {
  const nodes: DagNode[] = [];
  const index = new Map<string, number>();
  for (const step of outline.steps) {
    if (!step.id || index.has(step.id.name)) continue;
    index.set(step.id.name, nodes.length);
    // One object shape for every node (absent facts are undefined): loops over the graph stay monomorphic.
    nodes.push({ id: step.id.name, kind: step.kinds[0]?.kind, connection: step.connection?.name, description: step.description, span: step.span, idSpan: step.id.span });
  }
  const edges: DagEdge[] = [];
  const ends: number[] = [];
  for (const step of outline.steps) {
    const to = step.id ? index.get(step.id.name) : undefined;
    if (to === undefined || nodes[to]?.span !== step.span) continue;
    // Each step is the only one that writes edges into its node, so duplicates are found among its own entries.
    const seen = step.dependsOn.length > 1 ? new Set<string>() : undefined;
    for (const dep of step.dependsOn) {
      const from = index.get(dep.name);
      if (from === undefined || seen?.has(dep.name)) continue;
      seen?.add(dep.name);
      edges.push({ from: dep.name, to: step.id?.name as string, span: dep.span });
      ends.push(from, to);
    }
  }
  return ordered(nodes, edges, ends);
}

/** Graph algorithms over given nodes and edges (exported for tests and generators). Edges naming no node are left out of the order. */
export function analyze(nodes: DagNode[], edges: DagEdge[]): Dag {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (!index.has(n.id)) index.set(n.id, i);
  });
  const ends: number[] = [];
  for (const e of edges) ends.push(index.get(e.from) ?? -1, index.get(e.to) ?? -1);
  return ordered(nodes, edges, ends);
}

/**
 * Topological order, levels, neighbours and cycles, on node positions rather than ids (it runs on
 * every structural edit in the editor). `ends` holds each edge's node positions: from, to, …
 */
function ordered(nodes: DagNode[], edges: DagEdge[], ends: readonly number[]): Dag {
  const n = nodes.length;
  // The downstream positions of node i are next[first[i] .. first[i + 1]), in edge order.
  const first = new Int32Array(n + 1);
  const indegree = new Int32Array(n);
  for (let k = 0; k < edges.length; k++) {
    const from = ends[2 * k] as number;
    const to = ends[2 * k + 1] as number;
    if (from < 0 || to < 0) continue;
    first[from + 1] = (first[from + 1] as number) + 1;
    indegree[to] = (indegree[to] as number) + 1;
  }
  for (let i = 0; i < n; i++) first[i + 1] = (first[i + 1] as number) + (first[i] as number);
  const next = new Int32Array(first[n] as number);
  const fill = first.slice(0, n);
  for (let k = 0; k < edges.length; k++) {
    const from = ends[2 * k] as number;
    const to = ends[2 * k + 1] as number;
    if (from < 0 || to < 0) continue;
    next[fill[from] as number] = to;
    fill[from] = (fill[from] as number) + 1;
  }
  // Kahn's algorithm; the level of a node is one more than the highest level of its upstream.
  const level = new Int32Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const at = queue[head] as number;
    const up = (level[at] as number) + 1;
    for (let j = first[at] as number; j < (first[at + 1] as number); j++) {
      const d = next[j] as number;
      if ((level[d] as number) < up) level[d] = up;
      indegree[d] = (indegree[d] as number) - 1;
      if (indegree[d] === 0) queue[tail++] = d;
    }
  }
  const order: string[] = [];
  const levels: string[][] = [];
  for (let q = 0; q < tail; q++) {
    const at = queue[q] as number;
    const id = (nodes[at] as DagNode).id;
    order.push(id);
    (levels[level[at] as number] ??= []).push(id);
  }
  const cycles = order.length === n ? [] : findCycles(nodes, edges, new Set(order));
  return withNeighbours({ nodes, edges, order, levels, cycles }, () => neighbours(nodes, edges, ends));
}

type Neighbours = Pick<Dag, "upstream" | "downstream">;

/** Each node's upstream and downstream ids, in edge order. */
function neighbours(nodes: DagNode[], edges: DagEdge[], ends: readonly number[]): Neighbours {
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const node of nodes) {
    upstream.set(node.id, []);
    downstream.set(node.id, []);
  }
  for (let k = 0; k < edges.length; k++) {
    const from = nodes[ends[2 * k] as number];
    const to = nodes[ends[2 * k + 1] as number];
    if (!from || !to) continue;
    upstream.get(to.id)?.push(from.id);
    downstream.get(from.id)?.push(to.id);
  }
  return { upstream, downstream };
}

/**
 * The graph with `upstream` and `downstream` built when first read: the language server rebuilds
 * the graph on every structural edit, and its checks never read them.
 */
function withNeighbours(dag: Omit<Dag, keyof Neighbours>, build: () => Neighbours): Dag {
  let built: Neighbours | undefined;
  const get = () => (built ??= build());
  return Object.defineProperties(dag, {
    upstream: { get: () => get().upstream, enumerable: true },
    downstream: { get: () => get().downstream, enumerable: true },
  }) as Dag;
}

/** `dag` with its nodes, edges and cycles at other spans (the same ids and edges): its neighbours are `dag`'s. */
export function respanned(dag: Dag, nodes: DagNode[], edges: DagEdge[], cycles: Cycle[]): Dag {
  return withNeighbours({ nodes, edges, order: dag.order, levels: dag.levels, cycles }, () => ({ upstream: dag.upstream, downstream: dag.downstream }));
}

/**
 * One cycle per strongly connected component among the steps Kahn's algorithm could not order
 * (Tarjan, `scc.ts`), then a walk inside the component back to its start.
 */
function findCycles(nodes: DagNode[], edges: DagEdge[], ordered: Set<string>): Cycle[] {
  const rest = nodes.map((n) => n.id).filter((id) => !ordered.has(id));
  const out = new Map<string, DagEdge[]>(rest.map((id) => [id, []]));
  for (const e of edges) if (out.has(e.from) && out.has(e.to)) out.get(e.from)?.push(e);

  const components = stronglyConnected(rest, out);
  const cycles: Cycle[] = [];
  for (const component of components) {
    const members = new Set(component);
    const cycle = cycleWithin(members, out, nodes);
    if (cycle) cycles.push(cycle);
  }
  return cycles.sort((a, b) => (a.edges[0]?.span.start ?? 0) - (b.edges[0]?.span.start ?? 0));
}

/** A shortest cycle through the component's first node in file order (BFS back to it). */
function cycleWithin(members: Set<string>, out: Map<string, DagEdge[]>, nodes: DagNode[]): Cycle | undefined {
  const start = nodes.find((n) => members.has(n.id))?.id;
  if (start === undefined) return undefined;
  const via = new Map<string, DagEdge>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    for (const e of out.get(id) ?? []) {
      if (!members.has(e.to)) continue;
      if (e.to === start) {
        const edges = [e];
        for (let cur = id; cur !== start; ) {
          const back = via.get(cur) as DagEdge;
          edges.unshift(back);
          cur = back.from;
        }
        return { path: [...edges.map((x) => x.from), start], edges };
      }
      if (!via.has(e.to) && e.to !== start) {
        via.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return undefined;
}

/** Ids of steps reachable downstream from `id` (including itself) — steps `id` may not depend on. */
export function downstreamClosure(dag: Dag, id: string): Set<string> {
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length > 0) {
    for (const d of dag.downstream.get(stack.pop() as string) ?? []) if (!seen.has(d)) {
      seen.add(d);
      stack.push(d);
    }
  }
  return seen;
}

export type { Ref };
