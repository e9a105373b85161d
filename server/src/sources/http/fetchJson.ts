/**
 * One JSON request with the connector's own retries: HTTP 429 and 5xx, dropped connections and
 * timeouts are retried (honouring `Retry-After`, bounded), with exponential backoff and jitter.
 * When the attempts run out the error is transient, so the runner's step policy may try again
 * later; other 4xx answers fail at once with what to fix.
 */
import type { Logger } from "pino";
import { ConnectorError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { delay, type RateLimiter } from "./rateLimiter";
import { JsonNumberError, parseJson } from "../formats/exactJson";
import { fetchFollowing } from "./redirects";

export interface HttpOptions {
  /** Tries per request, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest `Retry-After` wait honoured; longer ones are cut to this. */
  maxRetryAfterMs: number;
  /** Timeout when the connection sets none. */
  defaultTimeoutMs: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 60_000, defaultTimeoutMs: 30_000 };

export interface PreparedRequest {
  url: URL;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
}

export interface JsonResponse {
  body: unknown;
  headers: Headers;
  url: string;
}

export interface FetchContext {
  limiter: RateLimiter;
  signal: AbortSignal;
  timeoutMs: number;
  options: HttpOptions;
  secrets: readonly string[];
  logger: Logger;
}

type Attempt = { ok: JsonResponse } | { retry: string; waitMs?: number };

/** `Retry-After`: seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function describeRequest(request: PreparedRequest): string {
  return `${request.method} ${request.url.origin}${request.url.pathname}`;
}

/**
 * The start of a server's answer for a message. Scrubbed before it is cut: a cut through an echoed
 * secret would leave a piece that no longer matches it.
 */
function snippetOf(text: string, length: number, secrets: readonly string[]): string {
  return scrubSecrets(text.trim(), secrets).slice(0, length);
}

function permanent(request: PreparedRequest, status: number, text: string, secrets: readonly string[], crossedTo: string | undefined): ConnectorError {
  const hint =
    crossedTo !== undefined && (status === 401 || status === 403)
      ? `the request was redirected to ${crossedTo}, and credentials are never sent to another origin; if that is the API, set \`base_url\` to it`
      : status === 401 || status === 403
        ? "check the connection's `auth` and `headers` (token or password)"
        : status === 404
          ? "check `base_url` and the step's `path`"
          : "check the step's `path`, `query` and `body`";
  const snippet = snippetOf(text, 300, secrets);
  return new ConnectorError(`http-${status}`, scrubSecrets(`${describeRequest(request)} answered HTTP ${status}${snippet ? `: ${snippet}` : ""} — ${hint}`, secrets), false);
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}

async function attemptOnce(request: PreparedRequest, ctx: FetchContext): Promise<Attempt> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), ctx.timeoutMs);
  try {
    const hop = { url: request.url, method: request.method, headers: request.headers, signal: AbortSignal.any([ctx.signal, timeout.signal]), ...(request.body !== undefined ? { body: request.body } : {}) };
    const { response: res, url, crossedTo } = await fetchFollowing(hop, ctx.secrets);
    if (res.status === 429 || res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      const waitMs = parseRetryAfter(res.headers.get("retry-after"));
      return { retry: `HTTP ${res.status}`, ...(waitMs !== undefined ? { waitMs } : {}) };
    }
    const text = await res.text();
    if (!res.ok) throw permanent(request, res.status, text, ctx.secrets, crossedTo);
    let body: unknown = null;
    if (text.trim() !== "") {
      try {
        body = parseJson(text);
      } catch (err: unknown) {
        if (err instanceof JsonNumberError) throw new ConnectorError("http-bad-number", scrubSecrets(`${describeRequest(request)} answered JSON with a number no record can hold exactly: ${err.message}`, ctx.secrets));
        throw new ConnectorError("http-not-json", scrubSecrets(`${describeRequest(request)} did not answer JSON (content-type ${res.headers.get("content-type") ?? "none"}): ${snippetOf(text, 120, ctx.secrets)}`, ctx.secrets));
      }
    }
    return { ok: { body, headers: res.headers, url: url.toString() } };
  } catch (err: unknown) {
    if (ctx.signal.aborted) throw new ConnectorError("aborted", `${describeRequest(request)} was stopped`, false);
    if (err instanceof ConnectorError) throw err;
    if (timeout.signal.aborted) return { retry: `no complete answer within ${ctx.timeoutMs} ms` };
    return { retry: `connection failed (${networkReason(err)})` };
  } finally {
    clearTimeout(timer);
  }
}

function backoff(attempt: number, options: HttpOptions): number {
  const base = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + Math.random() * 0.5));
}

export async function fetchJson(request: PreparedRequest, ctx: FetchContext): Promise<JsonResponse> {
  const { options } = ctx;
  for (let attempt = 1; ; attempt++) {
    await ctx.limiter.take(ctx.signal);
    const outcome = await attemptOnce(request, ctx);
    if ("ok" in outcome) return outcome.ok;
    if (attempt >= options.maxAttempts) {
      throw new ConnectorError(
        "http-retries-exhausted",
        scrubSecrets(`${describeRequest(request)} failed ${attempt} times, last: ${outcome.retry} (transient: the step may be retried later)`, ctx.secrets),
        true,
      );
    }
    const wait = outcome.waitMs !== undefined ? Math.min(outcome.waitMs, options.maxRetryAfterMs) : backoff(attempt, options);
    ctx.logger.warn({ request: describeRequest(request), attempt, reason: outcome.retry, waitMs: wait }, "HTTP request failed; retrying");
    await delay(wait, ctx.signal).catch(() => {
      throw new ConnectorError("aborted", `${describeRequest(request)} was stopped`, false);
    });
  }
}
