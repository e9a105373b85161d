/**
 * The HTTP connector: JSON APIs read page by page (page, offset, cursor or RFC 8288 link
 * pagination), `records` paths, `rate_limit`, `timeout`, bearer/basic auth, and retries of
 * 429/5xx/dropped connections inside the connector. HTTP connections are sources only.
 */
import { ConnectorError } from "../../errors";
import type { Connector, DataRecord, ExtractRequest, ExtractResult } from "../types";
import { pages } from "./extract";
import { DEFAULT_HTTP_OPTIONS, type FetchContext, type HttpOptions } from "./fetchJson";
import { RateLimiter } from "./rateLimiter";
import { firstRequest, httpSecrets, type HttpConnection } from "./request";

export { parseLinkHeader, valueAt } from "./paths";
export type { HttpOptions } from "./fetchJson";

function durationMs(text: string | undefined): number | undefined {
  const m = text === undefined ? null : /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
}

/** A connector; `options` tune the retries (tests use short delays). */
export function createHttpConnector(options: Partial<HttpOptions> = {}): Connector {
  const settings = { ...DEFAULT_HTTP_OPTIONS, ...options };
  // One limiter per connection name: steps sharing a connection share its rate limit.
  const limiters = new Map<string, RateLimiter>();
  const limiterFor = (name: string, perSecond: number | undefined) => {
    let limiter = limiters.get(name);
    if (!limiter) limiters.set(name, (limiter = new RateLimiter(perSecond)));
    return limiter;
  };

  async function extract(request: ExtractRequest): Promise<ExtractResult> {
    const connection = request.connection as HttpConnection;
    const first = firstRequest(request);
    const ctx: FetchContext = {
      limiter: limiterFor(request.connectionName, connection.rate_limit),
      signal: request.signal,
      timeoutMs: durationMs(connection.timeout) ?? settings.defaultTimeoutMs,
      options: settings,
      secrets: httpSecrets(connection, request.secrets),
      logger: request.logger,
    };
    async function* records(): AsyncGenerator<DataRecord> {
      try {
        for await (const page of pages(first, request.extract.paginate, request.extract.records, ctx)) {
          yield* page.records;
          // A preview asks for one page: its records are the first a run reads.
          if (request.preview) return;
        }
      } catch (err: unknown) {
        if (request.signal.aborted && !(err instanceof ConnectorError)) throw new ConnectorError("aborted", "the HTTP extract was stopped", false);
        throw err;
      }
    }
    const paginated = request.extract.paginate !== undefined;
    const skipped = request.preview && paginated ? () => `read only the first page of ${request.connectionName}'s API (paginated by \`${request.extract.paginate?.type}\`); later pages were not fetched` : undefined;
    return { records: records(), ...(skipped ? { skipped } : {}) };
  }

  return {
    type: "http",
    extract,
    load: async () => {
      throw new ConnectorError("unsupported-load", "an http connection is a source only: load into a postgres, s3 or file connection instead");
    },
  };
}

export const httpConnector = createHttpConnector();
