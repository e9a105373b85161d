/**
 * Custom LSP messages and settings shared by the server and the extension. The client imports
 * *types* from here and nothing else (ARCHITECTURE.md).
 */

/** Settings under `agentEtl.*`, pulled by the server per document with `workspace/configuration`. */
export interface AgentEtlSettings {
  logLevel: "trace" | "debug" | "info" | "warn" | "error";
}

export const DEFAULT_SETTINGS: AgentEtlSettings = { logLevel: "info" };

export const LANGUAGE_ID = "etl-pipeline";
