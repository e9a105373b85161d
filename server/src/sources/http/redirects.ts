/**
 * Redirects, followed by hand: fetch's own following keeps custom headers (an `X-Api-Key`) when a
 * 3xx points at another origin. Like browsers and curl, a hop to another origin (scheme, host or
 * port) drops every credential: `Authorization`, `Cookie`, `Proxy-Authorization`, headers whose
 * name looks secret, and any header whose value holds one of the connection's secrets.
 */
import { ConnectorError } from "../../errors";
import { allSecretForms, scrubSecrets } from "../../env/scrub";

/** As many hops as browsers allow before they give up on a loop. */
const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|auth|token|key|secret|session|cookie|password/i;

export interface Followed {
  response: Response;
  /** Where the response came from. */
  url: URL;
  /** The first hop to another origin, when credentials were dropped on the way. */
  crossedTo?: string;
}

export interface HopRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** `headers` without anything that authenticates the sender. */
function withoutCredentials(headers: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  const forms = allSecretForms(secrets);
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => !CREDENTIAL_HEADER.test(name) && !forms.some((f) => value.includes(f))));
}

/** The next hop's method and body: 303, and 301/302 after a POST, turn into a GET without a body (as fetch does). */
function nextHop(hop: HopRequest, status: number, url: URL, crossed: boolean, secrets: readonly string[]): HopRequest {
  const toGet = status === 303 || ((status === 301 || status === 302) && hop.method === "POST");
  let headers = crossed ? withoutCredentials(hop.headers, secrets) : hop.headers;
  if (toGet) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "content-type"));
  const next: HopRequest = { url, method: toGet ? "GET" : hop.method, headers, signal: hop.signal };
  if (!toGet && hop.body !== undefined) next.body = hop.body;
  return next;
}

/** Fetches `request`, following up to MAX_REDIRECTS redirects; credentials never leave the first origin. */
export async function fetchFollowing(request: HopRequest, secrets: readonly string[]): Promise<Followed> {
  let hop = request;
  let crossedTo: string | undefined;
  for (let hops = 0; ; hops++) {
    const init: RequestInit = { method: hop.method, headers: hop.headers, signal: hop.signal, redirect: "manual" };
    if (hop.body !== undefined) init.body = hop.body;
    const response = await fetch(hop.url, init);
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return { response, url: hop.url, ...(crossedTo !== undefined ? { crossedTo } : {}) };
    await response.body?.cancel().catch(() => undefined);
    const where = `${hop.method} ${hop.url.origin}${hop.url.pathname}`;
    if (hops >= MAX_REDIRECTS) throw new ConnectorError("http-redirects", scrubSecrets(`${where}: more than ${MAX_REDIRECTS} redirects (a loop?); point \`base_url\` and \`path\` at the final address`, secrets));
    let next: URL;
    try {
      next = new URL(location, hop.url);
    } catch {
      throw new ConnectorError("http-redirects", scrubSecrets(`${where} redirected to ${JSON.stringify(location)}, which is not a URL`, secrets));
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") throw new ConnectorError("http-redirects", scrubSecrets(`${where} redirected to a ${next.protocol} URL; only http and https are followed`, secrets));
    const crossed = next.origin !== request.url.origin;
    if (crossed && crossedTo === undefined) crossedTo = next.origin;
    hop = nextHop(hop, response.status, next, crossed, secrets);
  }
}
