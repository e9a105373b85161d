/**
 * What `agent-etl analyze` shows: for each connection of a pipeline, the analyses that describe it
 * (its descriptor's `analysis.connectionRequest`, e.g. a catalog or the root folder, then each
 * extract's `analysis.stepRequest`), answered through the cache.
 */
import type { AnalysedPart } from "../../pipeline/connectionsView";
import type { Connection, Extract } from "../../pipeline/model";
import { scrubSecrets } from "../../env/scrub";
import type { AnalysisCache } from "./cache";
import { descriptorOf } from "../registry";
import { connectionSecretValues } from "./fingerprint";
import { resolveForAnalysis } from "./index";
import type { AnalysisFailure, AnalysisRequest, AnalysisResult, AnalyzeContext } from "./types";

export interface AnalysisItem {
  /** The extract step the request comes from; null for the connection's own overview. */
  step: string | null;
  request: AnalysisRequest;
  result?: AnalysisResult;
  error?: AnalysisFailure;
}

export interface ConnectionReport {
  name: string;
  type: Connection["type"];
  /** Why the connection could not be analyzed at all (e.g. a missing secret). */
  error?: AnalysisFailure;
  analyses: AnalysisItem[];
}

export interface AnalysisReport {
  ok: boolean;
  connections: ConnectionReport[];
}

/** The request an extract step makes of its connection's source, if any. */
export function extractRequest(connection: Connection, extract: Extract): AnalysisRequest | undefined {
  return descriptorOf(connection).analysis.stepRequest(extract);
}

/** Every analysis `agent-etl analyze` shows for one connection, in order. */
export function connectionRequests(pipeline: AnalysedPart, name: string, connection: Connection): { step: string | null; request: AnalysisRequest }[] {
  const out: { step: string | null; request: AnalysisRequest }[] = [];
  const overview = descriptorOf(connection).analysis.connectionRequest;
  if (overview) out.push({ step: null, request: overview });
  for (const step of pipeline.steps) {
    if (step.extract?.connection !== name) continue;
    const request = extractRequest(connection, step.extract);
    if (request) out.push({ step: step.id, request });
  }
  return out;
}

export interface ReportOptions {
  cache: AnalysisCache;
  env: ReadonlyMap<string, string>;
  baseDir: string;
  /** Only this connection (the caller checks that it exists). */
  only?: string;
  refresh?: boolean;
  timeoutMs?: number;
  /** Stops waiting for the sources (the MCP server passes the request's cancellation and timeout). */
  signal?: AbortSignal;
  /** Folders `${file:}` secrets may be read from (default: anywhere, as for a run the user starts). */
  secretFolders?: readonly string[];
}

async function analyzeConnection(pipeline: AnalysedPart, name: string, connection: Connection, options: ReportOptions, secrets: Set<string>): Promise<ConnectionReport> {
  const report: ConnectionReport = { name, type: connection.type, analyses: [] };
  const resolved = resolveForAnalysis(name, connection, options.env, options.baseDir, options.secretFolders ? { secretFolders: options.secretFolders } : {});
  if ("failure" in resolved) return { ...report, error: resolved.failure };
  for (const s of [...resolved.secrets, ...connectionSecretValues(resolved.connection)]) secrets.add(s);
  const ctx: AnalyzeContext = { connection: resolved.connection, connectionName: name, baseDir: options.baseDir, secrets: resolved.secrets, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const fetchOptions = options.refresh ? { refresh: true } : {};
  report.analyses = await Promise.all(
    connectionRequests(pipeline, name, connection).map(async ({ step, request }): Promise<AnalysisItem> => {
      try {
        return { step, request, result: await options.cache.fetch(ctx, request, fetchOptions) };
      } catch (err: unknown) {
        const code = (err as { code?: unknown }).code;
        return { step, request, error: { code: typeof code === "string" ? code : "analysis-failed", message: scrubSecrets(err instanceof Error ? err.message : String(err), secrets) } };
      }
    }),
  );
  return report;
}

/**
 * Analyzes the pipeline's connections (all, or `only`) concurrently; `secrets` collects every
 * resolved secret for scrubbing output. Only the connections and steps are read: a half-written
 * file's (connectionsView.ts) will do.
 */
export async function buildReport(pipeline: AnalysedPart, options: ReportOptions, secrets = new Set<string>()): Promise<AnalysisReport> {
  const entries = Object.entries(pipeline.connections ?? {}).filter(([name]) => options.only === undefined || name === options.only);
  const connections = await Promise.all(entries.map(([name, connection]) => analyzeConnection(pipeline, name, connection, options, secrets)));
  const ok = connections.every((c) => !c.error && c.analyses.every((a) => !a.error));
  return { ok, connections };
}
