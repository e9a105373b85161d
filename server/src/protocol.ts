/**
 * Custom LSP messages, command ids and settings shared by the server and the extension. The client
 * imports *types* (and these constants) from here and nothing else (ARCHITECTURE.md). Positions and
 * ranges have the LSP shape (0-based line and UTF-16 character). Each custom request is a typed
 * `RequestType`, so the server's handler and the client's call are checked against one signature.
 */
import { RequestType } from "vscode-languageserver-protocol";

export const LANGUAGE_ID = "etl-pipeline";

/**
 * Node flags the extension starts the language server with (other editors may pass them too:
 * `node --min-semi-space-size=16 dist/server.js --stdio`). A young generation that starts at 16 MB
 * instead of 1 MB: parsing and checking a document allocates tens of MB of short-lived objects, and
 * with the small default most of a first open went to scavenges (500 steps: ~140 → ~100 ms).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--min-semi-space-size=16"];

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export type StepKindName = "extract" | "transform" | "load" | "sql";

export interface DagNodeInfo {
  id: string;
  kind: StepKindName | null;
  connection: string | null;
  description: string | null;
  /** The whole step item, and its `id` value. */
  range: Range;
  idRange: Range;
  /** The problems inside this step (the preview marks the node; at most `MAX_STEP_PROBLEMS`). */
  problems: StepProblem[];
}

/** One problem inside a step, as the DAG preview shows it on the step's node. */
export interface StepProblem {
  code: string;
  severity: "error" | "warning" | "info" | "hint";
  message: string;
}
export const MAX_STEP_PROBLEMS = 20;

/** `agent-etl/dag` — client → server: the graph of an open pipeline, for the DAG preview. */
export const DAG_REQUEST = "agent-etl/dag";
export interface DagParams {
  uri: string;
}
export interface DagResult {
  uri: string;
  version: number;
  name: string | null;
  nodes: DagNodeInfo[];
  edges: { from: string; to: string }[];
  /** Steps of one level can run in parallel. */
  levels: string[][];
  /** Each cycle as a path of step ids, first repeated last. */
  cycles: string[][];
  /** `depends_on` entries naming no step: the preview draws a dangling edge to a ghost node. */
  missing: { step: string; missing: string }[];
  errorCount: number;
}
export const DagRequest = new RequestType<DagParams, DagResult, void>(DAG_REQUEST);

/** `agent-etl/steps` — client → server: the steps of an open pipeline (for Run Step pickers). */
export const STEPS_REQUEST = "agent-etl/steps";
export interface StepsParams {
  uri: string;
}
export interface StepsResult {
  steps: Omit<DagNodeInfo, "description" | "problems">[];
}
export const StepsRequest = new RequestType<StepsParams, StepsResult, void>(STEPS_REQUEST);

/**
 * `agent-etl/refreshSources` — client → server: forget what live analysis cached for the
 * connections of an open pipeline (all, or one) and fetch again now; answers when done.
 */
export const REFRESH_SOURCES_REQUEST = "agent-etl/refreshSources";
export interface RefreshSourcesParams {
  uri: string;
  connection?: string;
}
export interface RefreshSourcesResult {
  /** Connections analysed again, successfully. */
  refreshed: string[];
  /** Connections whose source could not be reached, with the reason (secrets scrubbed). */
  failed: { connection: string; message: string }[];
}
export const RefreshSourcesRequest = new RequestType<RefreshSourcesParams, RefreshSourcesResult, void>(REFRESH_SOURCES_REQUEST);

/** `initializationOptions` the extension sends when it starts the server. */
export interface InitializationOptions {
  /** Folder for the live-analysis disk cache (VS Code's global storage); else a cache folder in the user's home. */
  cacheDir?: string;
  /**
   * The user trusts the workspace (VS Code's Workspace Trust). Only then does live analysis resolve
   * `${env:}`/`${file:}` and connect to the servers a pipeline names; absent or false (a client
   * that says nothing), only connections that stay on this machine without secrets (`file`) are
   * analysed. Other editors set it to `true` to have live analysis of every connection.
   */
  workspaceTrusted?: boolean;
}

/** Command ids the server puts in code lenses; the extension implements them. */
export const COMMANDS = {
  previewDag: "agentEtl.previewDag",
  previewRows: "agentEtl.previewRows",
  runPipeline: "agentEtl.runPipeline",
  runStep: "agentEtl.runStep",
  resumeRun: "agentEtl.resumeRun",
  exportAirflow: "agentEtl.exportAirflow",
  analyzeSources: "agentEtl.analyzeSources",
  refreshSourceCache: "agentEtl.refreshSourceCache",
  generatePipeline: "agentEtl.generatePipeline",
  showLogs: "agentEtl.showLogs",
} as const;

/** Arguments of `agentEtl.runStep` as carried by a code lens. */
export interface RunStepArgs {
  uri: string;
  stepId: string;
}

/** Arguments of `agentEtl.previewRows` (the "Preview rows" code lens above a step, or the palette's pick). */
export interface PreviewRowsArgs {
  uri: string;
  stepId: string;
}

/** Settings under `agentEtl.*`, pulled by the server per document with `workspace/configuration`. */
export interface AgentEtlSettings {
  logLevel: "trace" | "debug" | "info" | "warn" | "error";
  /** Path of a `.env` file to read besides the ones next to the pipeline and at the workspace root. */
  envFile: string;
  /**
   * Seconds live-analysis results stay fresh, by connection type (`agentEtl.cacheTtl.<type>`); a type
   * not listed keeps its connector's own default.
   */
  cacheTtl: Partial<Record<string, number>>;
  /** The `agent-etl` CLI to run; empty: the one bundled with the extension. */
  cliPath: string;
  /** Node to run the CLI with; empty: VS Code's own runtime. */
  nodePath: string;
  /**
   * Folders besides the workspace folders where live analysis may read `${file:}` secrets (absolute,
   * `~/…`, or relative to the workspace folder).
   */
  secretFolders: string[];
}

export const DEFAULT_SETTINGS: AgentEtlSettings = {
  logLevel: "info",
  envFile: "",
  cacheTtl: {},
  cliPath: "",
  nodePath: "",
  secretFolders: [],
};


/** Arguments of `agentEtl.previewDag` as carried by a code lens. */
export interface PreviewDagArgs {
  uri: string;
}

/** `data` of a diagnostic the server publishes: the replacement a quick fix offers, when there is one. */
export interface DiagnosticData {
  suggestion?: string;
}
