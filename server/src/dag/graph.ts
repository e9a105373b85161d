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
  const byId = new Map<string, DagNode>();
  for (const step of outline.steps) {
    if (!step.id || byId.has(step.id.name)) continue;
    // One object shape for every node (absent facts are undefined): loops over the graph stay monomorphic.
    const node: DagNode = { id: step.id.name, kind: step.kinds[0]?.kind, connection: step.connection?.name, description: step.description, span: step.span, idSpan: step.id.span };
    nodes.push(node);
    byId.set(node.id, node);
  }
  const edges: DagEdge[] = [];
  const seen = new Set<string>();
  for (const step of outline.steps) {
    if (!step.id || byId.get(step.id.name)?.span !== step.span) continue;
    for (const dep of step.dependsOn) {
      const key = `${dep.name}\u0000${step.id.name}`;
      if (!byId.has(dep.name) || seen.has(key)) continue;
      seen.add(key);
      edges.push({ from: dep.name, to: step.id.name, span: dep.span });
    }
  }
  return analyze(nodes, edges);
}

/** Graph algorithms over given nodes and edges (exported for tests and generators). */
export function analyze(nodes: DagNode[], edges: DagEdge[]): Dag {
  const upstream = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const downstream = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const indegree = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  for (const e of edges) {
    upstream.get(e.to)?.push(e.from);
    downstream.get(e.from)?.push(e.to);
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  }
  // Kahn's algorithm; the level of a node is one more than the highest level of its upstream.
  const level = new Map<string, number>();
  const queue: string[] = [];
  for (const n of nodes) if (indegree.get(n.id) === 0) {
    queue.push(n.id);
    level.set(n.id, 0);
  }
  const order: string[] = [];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    order.push(id);
    const next = (level.get(id) ?? 0) + 1;
    for (const d of downstream.get(id) ?? []) {
      level.set(d, Math.max(level.get(d) ?? 0, next));
      const remaining = (indegree.get(d) ?? 0) - 1;
      indegree.set(d, remaining);
      if (remaining === 0) queue.push(d);
    }
  }
  const levels: string[][] = [];
  for (const id of order) {
    const l = level.get(id) ?? 0;
    (levels[l] ??= []).push(id);
  }
  const cycles = order.length === nodes.length ? [] : findCycles(nodes, edges, new Set(order));
  return { nodes, edges, order, levels, cycles, upstream, downstream };
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
