/**
 * Load order from foreign keys: a referenced table loads before the tables that reference it.
 * Cycles of foreign keys are broken by dropping one edge per cycle (a nullable one when there is
 * one), and each dropped edge is reported so the generated file can say which and why.
 */
import { stronglyConnected } from "../dag/scc";

export interface FkNode {
  id: string;
  foreignKeys: { constraint: string; references: string; nullable: boolean }[];
}

export interface DroppedEdge {
  from: string;
  to: string;
  constraint: string;
  /** The cycle the edge closed, first and last the same (`a → b → a`). */
  cycle: string[];
  nullable: boolean;
}

export interface FkOrder {
  /** Every node, referenced ones first; ties keep the input order. */
  order: string[];
  /** id → the ids it waits for (kept edges only, no self references, no unknown tables). */
  dependsOn: Map<string, string[]>;
  dropped: DroppedEdge[];
  /** Constraints naming a table outside the set (not ordered: the table is not generated). */
  outside: { from: string; to: string; constraint: string }[];
}

interface Edge {
  from: string;
  to: string;
  constraint: string;
  nullable: boolean;
}

/** Strongly connected components of size > 1: the foreign-key cycles. */
function cyclicComponents(ids: readonly string[], out: Map<string, Edge[]>): string[][] {
  return stronglyConnected(ids, out).filter((component) => component.length > 1);
}

/** A path `to → … → from` inside the component, closing the cycle of edge from → to. */
function cycleOf(edge: Edge, members: Set<string>, out: Map<string, Edge[]>): string[] {
  const previous = new Map<string, string>([[edge.to, ""]]);
  const queue = [edge.to];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (id === edge.from) break;
    for (const e of out.get(id) ?? []) {
      if (!members.has(e.to) || previous.has(e.to)) continue;
      previous.set(e.to, id);
      queue.push(e.to);
    }
  }
  const path = [edge.from];
  for (let id = previous.get(edge.from); id !== undefined && id !== ""; id = previous.get(id)) path.unshift(id);
  return [edge.from, ...path];
}

function breakCycles(ids: readonly string[], out: Map<string, Edge[]>, position: Map<string, number>): DroppedEdge[] {
  const dropped: DroppedEdge[] = [];
  for (;;) {
    const components = cyclicComponents(ids, out);
    if (components.length === 0) return dropped;
    for (const component of components) {
      const members = new Set(component);
      const inside = component.flatMap((id) => (out.get(id) ?? []).filter((e) => members.has(e.to)));
      // Prefer a nullable foreign key: its rows can exist before the row they point at.
      inside.sort((a, b) => Number(b.nullable) - Number(a.nullable) || (position.get(b.from) as number) - (position.get(a.from) as number) || a.to.localeCompare(b.to));
      const edge = inside[0] as Edge;
      dropped.push({ ...edge, cycle: cycleOf(edge, members, out) });
      out.set(edge.from, (out.get(edge.from) ?? []).filter((e) => e !== edge));
    }
  }
}

/** Kahn's algorithm, ready nodes taken in input order so the output is stable. */
function topological(ids: readonly string[], out: Map<string, Edge[]>, position: Map<string, number>): string[] {
  const waiting = new Map(ids.map((id) => [id, new Set((out.get(id) ?? []).map((e) => e.to)).size]));
  const users = new Map<string, string[]>();
  for (const id of ids) for (const to of new Set((out.get(id) ?? []).map((e) => e.to))) users.set(to, [...(users.get(to) ?? []), id]);
  const ready = ids.filter((id) => waiting.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
    const id = ready.shift() as string;
    order.push(id);
    for (const user of users.get(id) ?? []) {
      const left = (waiting.get(user) as number) - 1;
      waiting.set(user, left);
      if (left === 0) ready.push(user);
    }
  }
  return order;
}

/** Orders `nodes` so every referenced table comes before the tables that reference it. */
export function orderByForeignKeys(nodes: readonly FkNode[]): FkOrder {
  const ids = nodes.map((n) => n.id);
  const position = new Map(ids.map((id, i) => [id, i]));
  const out = new Map<string, Edge[]>();
  const outside: FkOrder["outside"] = [];
  for (const node of nodes) {
    const edges: Edge[] = [];
    for (const fk of node.foreignKeys) {
      if (fk.references === node.id) continue;
      if (!position.has(fk.references)) outside.push({ from: node.id, to: fk.references, constraint: fk.constraint });
      else edges.push({ from: node.id, to: fk.references, constraint: fk.constraint, nullable: fk.nullable });
    }
    out.set(node.id, edges);
  }
  const dropped = breakCycles(ids, out, position);
  const dependsOn = new Map(ids.map((id) => [id, [...new Set((out.get(id) ?? []).map((e) => e.to))]]));
  return { order: topological(ids, out, position), dependsOn, dropped, outside };
}
