/** DAG renderers: text, JSON (the spec's shape), Mermaid and Graphviz DOT. Labels are escaped. */
import type { Dag, DagNode } from "./graph";

export const DAG_FORMATS = ["text", "json", "mermaid", "dot"] as const;
export type DagFormat = (typeof DAG_FORMATS)[number];

export interface DagJson {
  nodes: { id: string; kind: string | null; connection: string | null }[];
  edges: { from: string; to: string }[];
  levels: string[][];
}

export function dagToJson(dag: Dag): DagJson {
  return {
    nodes: dag.nodes.map((n) => ({ id: n.id, kind: n.kind ?? null, connection: n.connection ?? null })),
    edges: dag.edges.map((e) => ({ from: e.from, to: e.to })),
    levels: dag.levels,
  };
}

function describe(n: DagNode): string {
  return [n.kind ?? "?", n.connection].filter(Boolean).join(" · ");
}

export function dagToText(dag: Dag, name = "pipeline"): string {
  const byId = new Map(dag.nodes.map((n) => [n.id, n]));
  const lines = [`${name}: ${dag.nodes.length} step${dag.nodes.length === 1 ? "" : "s"}, ${dag.edges.length} dependenc${dag.edges.length === 1 ? "y" : "ies"}, ${dag.levels.length} level${dag.levels.length === 1 ? "" : "s"}`];
  dag.levels.forEach((level, i) => {
    lines.push(`level ${i + 1}`);
    for (const id of level) {
      const node = byId.get(id) as DagNode;
      const ups = dag.upstream.get(id) ?? [];
      lines.push(`  ${id} (${describe(node)})${ups.length > 0 ? ` ← ${ups.join(", ")}` : ""}`);
    }
  });
  return lines.join("\n");
}

/** Mermaid label text: quotes and angle brackets become entities so labels cannot break out. */
function mermaidText(s: string): string {
  return s.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

export function dagToMermaid(dag: Dag): string {
  const lines = ["flowchart LR"];
  for (const n of dag.nodes) lines.push(`  ${n.id}["${mermaidText(n.id)}<br/><small>${mermaidText(describe(n))}</small>"]`);
  for (const e of dag.edges) lines.push(`  ${e.from} --> ${e.to}`);
  return lines.join("\n");
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

export function dagToDot(dag: Dag, name = "pipeline"): string {
  const lines = [`digraph ${dotString(name)} {`, "  rankdir=LR;", '  node [shape=box, style="rounded"];'];
  for (const n of dag.nodes) lines.push(`  ${dotString(n.id)} [label=${dotString(`${n.id}\n${describe(n)}`)}];`);
  for (const e of dag.edges) lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)};`);
  lines.push("}");
  return lines.join("\n");
}

export function renderDag(dag: Dag, format: DagFormat, name?: string): string {
  switch (format) {
    case "json":
      return JSON.stringify(dagToJson(dag), null, 2);
    case "mermaid":
      return dagToMermaid(dag);
    case "dot":
      return dagToDot(dag, name);
    default:
      return dagToText(dag, name);
  }
}
