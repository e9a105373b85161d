/** `agent-etl/dag` and `agent-etl/steps`: the graph and steps with LSP ranges, for the extension. */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { DagNode } from "../dag/graph";
import { missingDependencies, problemsByStep } from "../dag/marks";
import type { Problem } from "../pipeline/problem";
import { MAX_STEP_PROBLEMS, type DagNodeInfo, type DagResult, type StepsResult } from "../protocol";
import type { Analysis } from "./analysis";
import { toRange } from "./ranges";

/** Errors first: a node shows at most MAX_STEP_PROBLEMS, and the worst must be among them. */
const SEVERITY_RANK = { error: 0, warning: 1, info: 2, hint: 3 } as const;

function nodeInfo(document: TextDocument, n: DagNode, problems: readonly Problem[] = []): DagNodeInfo {
  return {
    id: n.id,
    kind: n.kind ?? null,
    connection: n.connection ?? null,
    description: n.description ?? null,
    range: toRange(document, n.span),
    idRange: toRange(document, n.idSpan),
    problems: [...problems].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]).slice(0, MAX_STEP_PROBLEMS).map((p) => ({ code: p.code, severity: p.severity, message: p.message })),
  };
}

export function dagResult(document: TextDocument, analysis: Analysis): DagResult {
  const { dag, outline, problems } = analysis;
  const byStep = problemsByStep(outline, problems);
  return {
    uri: document.uri,
    version: analysis.version,
    name: outline.name?.name ?? null,
    nodes: dag.nodes.map((n) => nodeInfo(document, n, byStep.get(n.id))),
    edges: dag.edges.map((e) => ({ from: e.from, to: e.to })),
    levels: dag.levels,
    cycles: dag.cycles.map((c) => c.path),
    missing: missingDependencies(outline),
    errorCount: problems.filter((p) => p.severity === "error").length,
  };
}

export function stepsResult(document: TextDocument, analysis: Analysis): StepsResult {
  return {
    steps: analysis.dag.nodes.map((n) => {
      const { description: _description, problems: _problems, ...rest } = nodeInfo(document, n);
      return rest;
    }),
  };
}
