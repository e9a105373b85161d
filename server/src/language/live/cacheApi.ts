/**
 * What the live layer needs from the analysis cache and resolver (server/src/sources/analysis), as
 * structural types: the server wires the real ones, tests and benches may pass others.
 */
import type { Connection } from "../../pipeline/model";
import type { AnalysisFailure, AnalysisRequest, AnalysisResult, AnalyzeContext, CacheAnswer } from "../../sources/analysis/types";

export interface LiveCache {
  /** Answers from the cache at once (waiting at most `waitMs` for a fetch), fetching in the background. */
  lookup(ctx: AnalyzeContext, request: AnalysisRequest, options?: { waitMs?: number }): Promise<CacheAnswer>;
  /** Fetches now (a refresh skips the cache); rejects when the source fails. */
  fetch(ctx: AnalyzeContext, request: AnalysisRequest, options?: { refresh?: boolean }): Promise<AnalysisResult>;
  /** Forgets one connection's entries, or all. */
  invalidate(fingerprint?: string): void;
  /** Called with a connection's fingerprint when a background fetch for it lands. */
  onChange(listener: (fingerprint: string) => void): () => void;
}

export type ResolveForAnalysis = (
  name: string,
  connection: Connection,
  env: ReadonlyMap<string, string>,
  baseDir: string,
  options?: { secretFolders?: readonly string[] },
) => { connection: Connection; secrets: string[] } | { failure: AnalysisFailure };

export interface LiveDeps {
  cache: LiveCache;
  resolve: ResolveForAnalysis;
  fingerprint: (ctx: AnalyzeContext) => string;
}
