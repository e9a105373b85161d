/** Messages between the extension (dagPanel.ts) and the DAG preview webview. Types only. */
import type { StepKindName, StepProblem } from "../../../server/src/protocol";
import type { StepState, RunPhase } from "../run/runStatus";

export interface GraphNode {
  id: string;
  kind: StepKindName | null;
  connection: string | null;
  description: string | null;
  /** Problems inside the step (errors first): the node gets a mark. */
  problems: StepProblem[];
}

export interface GraphView {
  /** The pipeline file's URI and the document version the graph is for. */
  uri: string;
  version: number;
  name: string | null;
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
  cycles: string[][];
  /** `depends_on` entries naming no step: a dangling edge to a ghost node named after the missing id. */
  missing: { step: string; missing: string }[];
  errorCount: number;
}

export interface NodeStatus {
  state: StepState;
  rows: number | null;
  attempt: number | null;
  error: string | null;
  /** The step's data checks that failed this run (`error` ones fail the step; `warn` ones let it go on): the node gets a mark. */
  checks: { check: string | null; severity: "error" | "warn"; message: string | null }[];
  /** What the run history flagged as unusual about the step (its anomalies' messages). */
  anomalies?: string[];
}

export interface RunView {
  phase: RunPhase;
  summary: string;
  steps: Record<string, NodeStatus>;
}

/** Extension → webview. */
export type ToWebview =
  | { type: "graph"; graph: GraphView }
  | { type: "message"; text: string }
  | { type: "run"; run: RunView | null }
  | { type: "highlight"; id: string | null; reveal: boolean };

/** Webview → extension. */
export type FromWebview =
  | { type: "ready" }
  | { type: "reveal"; id: string }
  | { type: "exportSvg"; svg: string }
  | { type: "rendered"; nodes: number; layoutMs: number }
  | { type: "error"; message: string };
