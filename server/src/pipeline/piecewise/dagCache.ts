/**
 * The graph of the last version, moved to new offsets instead of rebuilt, when no step's graph facts
 * changed (the caller knows: every step's text is the same as before, in the same order — an edit
 * inside a description, a value, a top-level section). The result equals `buildDag(outline)`.
 */
import { buildDag, respanned, type Dag, type DagEdge, type DagNode } from "../../dag/graph";
import type { PipelineOutline } from "../outline";

interface Located {
  dag: Dag;
  /** For each node: the position in `outline.steps` of the step it comes from. */
  nodeAt: number[];
  /** For each edge: the step position and the `dependsOn` position it is written at. */
  edgeAt: number[];
}

/** Where `buildDag` took each node's and edge's span from (the first step with an id; the first mention of a dependency). */
function locate(outline: PipelineOutline, dag: Dag): Located {
  const firstStep = new Map<string, number>();
  outline.steps.forEach((s, i) => {
    if (s.id && !firstStep.has(s.id.name)) firstStep.set(s.id.name, i);
  });
  const nodeAt = dag.nodes.map((n) => firstStep.get(n.id) as number);
  const firstDep = new Map<number, Map<string, number>>();
  const edgeAt: number[] = [];
  for (const e of dag.edges) {
    const at = firstStep.get(e.to) as number;
    let deps = firstDep.get(at);
    if (!deps) {
      deps = new Map();
      (outline.steps[at]?.dependsOn ?? []).forEach((d, j) => {
        if (!deps?.has(d.name)) deps?.set(d.name, j);
      });
      firstDep.set(at, deps);
    }
    edgeAt.push(at, deps.get(e.from) as number);
  }
  return { dag, nodeAt, edgeAt };
}

/** A node or edge is kept as it is when its spans did not move (steps before the edit keep theirs). */
function moved(last: Located, outline: PipelineOutline): Dag {
  const steps = outline.steps;
  const nodes: DagNode[] = new Array<DagNode>(last.dag.nodes.length);
  last.dag.nodes.forEach((n, k) => {
    const step = steps[last.nodeAt[k] as number];
    const span = step?.span ?? n.span;
    const idSpan = step?.id?.span ?? n.idSpan;
    if (span === n.span && idSpan === n.idSpan) {
      nodes[k] = n;
      return;
    }
    nodes[k] = { id: n.id, kind: n.kind, connection: n.connection, description: n.description, span, idSpan };
  });
  const edges: DagEdge[] = new Array<DagEdge>(last.dag.edges.length);
  last.dag.edges.forEach((e, k) => {
    const span = steps[last.edgeAt[2 * k] as number]?.dependsOn[last.edgeAt[2 * k + 1] as number]?.span ?? e.span;
    edges[k] = span === e.span ? e : { from: e.from, to: e.to, span };
  });
  let cycles = last.dag.cycles;
  if (cycles.length > 0) {
    const byOld = new Map<DagEdge, DagEdge>(last.dag.edges.map((e, k) => [e, edges[k] as DagEdge]));
    cycles = cycles.map((c) => ({ path: c.path, edges: c.edges.map((e) => byOld.get(e) ?? e) })).sort((a, b) => (a.edges[0]?.span.start ?? 0) - (b.edges[0]?.span.start ?? 0));
  }
  return respanned(last.dag, nodes, edges, cycles);
}

/** Keeps the last graph of one document. */
export class DagCache {
  /** The last graph, and its outline until the graph is first moved (locating costs, so only when needed). */
  private last: Located | { outline: PipelineOutline; dag: Dag } | undefined;

  /** The graph of `outline`; `unchanged` says the steps' graph facts equal those of the last call's outline. */
  build(outline: PipelineOutline, unchanged: boolean): Dag {
    if (unchanged && this.last) {
      const located = "nodeAt" in this.last ? this.last : locate(this.last.outline, this.last.dag);
      const dag = moved(located, outline);
      this.last = { ...located, dag };
      return dag;
    }
    const dag = buildDag(outline);
    this.last = { outline, dag };
    return dag;
  }

  forget(): void {
    this.last = undefined;
  }
}
