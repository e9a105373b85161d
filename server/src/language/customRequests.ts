/** `agent-etl/dag` and `agent-etl/steps`: the graph and steps with LSP ranges, for the extension. */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { DagNode } from "../dag/graph";
import type { DagNodeInfo, DagResult, StepsResult } from "../protocol";
import type { Analysis } from "./analysis";
import { toRange } from "./ranges";

function nodeInfo(document: TextDocument, n: DagNode): DagNodeInfo {
  return {
    id: n.id,
    kind: n.kind ?? null,
    connection: n.connection ?? null,
    description: n.description ?? null,
    range: toRange(document, n.span),
    idRange: toRange(document, n.idSpan),
  };
}

export function dagResult(document: TextDocument, analysis: Analysis): DagResult {
  const { dag, outline, problems } = analysis;
  return {
    uri: document.uri,
    version: analysis.version,
    name: outline.name?.name ?? null,
    nodes: dag.nodes.map((n) => nodeInfo(document, n)),
    edges: dag.edges.map((e) => ({ from: e.from, to: e.to })),
    levels: dag.levels,
    cycles: dag.cycles.map((c) => c.path),
    errorCount: problems.filter((p) => p.severity === "error").length,
  };
}

export function stepsResult(document: TextDocument, analysis: Analysis): StepsResult {
  return {
    steps: analysis.dag.nodes.map((n) => {
      const { description: _description, ...rest } = nodeInfo(document, n);
      return rest;
    }),
  };
}
