/**
 * HTTP analysis (issue 5): one request shaped like the extract's first one (path, method, query,
 * body, the connection's auth, headers and timeout), and the fields of the records it returns —
 * at `records`, or at the first array of objects found in the body when `records` is absent.
 * No retries: a failure is cached and retried later by the analysis cache.
 */
import pino from "pino";
import { ConnectorError } from "../../errors";
import type { Extract as ExtractStep } from "../../pipeline/model";
import { airflowTs, logicalTemplates, templateNames, type TemplateValues } from "../../pipeline/templates";
import type { AnalysisRequest, AnalyzeContext, HttpSample } from "../analysis/types";
import { limited, timeoutOf } from "../analysis/limits";
import { columnsOf } from "../s3/infer";
import type { DataRecord, ExtractRequest } from "../types";
import { recordsOf } from "./extract";
import { DEFAULT_HTTP_OPTIONS, fetchJson, type FetchContext } from "./fetchJson";
import { parseLinkHeader } from "./paths";
import { RateLimiter } from "./rateLimiter";
import { firstRequest, httpSecrets, type HttpConnection } from "./request";

/** Records the columns are inferred from. */
const SAMPLE_RECORDS = 200;
const SILENT = pino({ level: "silent" });

type HttpSampleRequest = Extract<AnalysisRequest, { kind: "http-sample" }>;

/** Template values for a sample request: now as the logical instant, and an empty value for every param named. */
function sampleTemplates(request: HttpSampleRequest): TemplateValues {
  const params: TemplateValues["params"] = {};
  for (const name of templateNames(JSON.stringify([request.path, request.query ?? null, request.body ?? null]))) {
    if (name.startsWith("params.")) params[name.slice("params.".length)] = "";
  }
  return { ...logicalTemplates(airflowTs(new Date())), run_id: "analyze", params };
}

function isRecordArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v));
}

/** The dotted path of the first array of objects in a body, breadth first (the body itself: `""`). */
export function detectRecords(body: unknown, maxDepth = 4): string | undefined {
  let level: [string, unknown][] = [["", body]];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: [string, unknown][] = [];
    for (const [path, value] of level) {
      if (isRecordArray(value)) return path;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) next.push([path ? `${path}.${k}` : k, v]);
      }
    }
    level = next;
  }
  return undefined;
}

export async function analyzeHttp(ctx: AnalyzeContext, request: AnalysisRequest): Promise<HttpSample> {
  if (ctx.connection.type !== "http") throw new ConnectorError("analysis-request", `connection \`${ctx.connectionName}\` is ${ctx.connection.type}, not http`);
  if (request.kind !== "http-sample") throw new ConnectorError("analysis-request", `an http connection cannot answer a \`${request.kind}\` analysis`);
  const connection = ctx.connection as HttpConnection;
  const extract = { connection: ctx.connectionName, path: request.path, method: request.method, query: request.query, body: request.body } as ExtractStep;
  // firstRequest reads only the connection, the extract and the templates.
  const prepared = firstRequest({ connection, extract, templates: sampleTemplates(request) } as ExtractRequest);
  const secrets = httpSecrets(connection, ctx.secrets);
  return limited(ctx, `requesting ${request.path}`, async (signal) => {
    const fetchCtx: FetchContext = {
      limiter: new RateLimiter(undefined),
      signal,
      timeoutMs: timeoutOf(ctx),
      options: { ...DEFAULT_HTTP_OPTIONS, maxAttempts: 1 },
      secrets,
      logger: SILENT,
    };
    const response = await fetchJson(prepared, fetchCtx);
    const path = request.records ?? detectRecords(response.body);
    const records: DataRecord[] = path === undefined ? [] : recordsOf(response, path, prepared, secrets).slice(0, SAMPLE_RECORDS);
    const body = response.body;
    const bodyKeys = body !== null && typeof body === "object" && !Array.isArray(body) ? Object.keys(body) : [];
    return {
      kind: "http-sample",
      columns: columnsOf(records),
      sampledRecords: records.length,
      records: path === undefined || path === "" ? null : path,
      bodyKeys,
      linkNext: parseLinkHeader(response.headers.get("link")).has("next"),
    };
  });
}
