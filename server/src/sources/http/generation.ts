/** `agent-etl generate` from an API endpoint: `https://host/path?query`, sampled with one GET. */
import type { Logger } from "pino";
import { UsageError } from "../../errors";
import { basicAuthPair, scrubSecrets } from "../../env/scrub";
import { envVarName, optionOf, SECRET_PARAM, type Endpoint, type EnvVar, type HttpResponseSample, type LocateOptions, type Location } from "../generation";
import { DEFAULT_HTTP_OPTIONS, fetchJson } from "./fetchJson";
import { RateLimiter } from "./rateLimiter";
import { httpSecrets, joinUrl, type HttpConnection } from "./request";

/** The API and endpoint a URL names; basic credentials become an env reference, credential query parameters are left out. */
export function locateHttp(text: string, { role }: LocateOptions): Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${optionOf(role)}: ${JSON.stringify(scrubSecrets(text))} is not a URL; write it like https://api.example.com/v1/items`);
  }
  const env: EnvVar[] = [];
  const notes: string[] = [];
  const live: HttpConnection = { type: "http", base_url: url.origin };
  const written: Record<string, unknown> = { type: "http", base_url: url.origin };
  if (url.username || url.password) {
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const name = envVarName(role, "API_PASSWORD");
    env.push({ name, value: password, why: `the password for ${url.host}` });
    live.auth = { type: "basic", username, password };
    written.auth = { type: "basic", username, password: `\${env:${name}}` };
  }
  const query = new URLSearchParams();
  for (const [k, v] of url.searchParams) {
    if (SECRET_PARAM.test(k)) notes.push(`the query parameter \`${k}\` looks like a credential and was left out of the file; send it as a header in the connection (\`headers\` with \`\${env:…}\`) if the API accepts one`);
    else query.append(k, v);
  }
  const endpoint: Endpoint = { path: url.pathname, query, liveQuery: new URLSearchParams(url.searchParams) };
  return {
    type: "http",
    label: url.hostname,
    what: `the API at ${url.hostname}`,
    live,
    written,
    env,
    notes,
    endpoint,
    discover: async (logger) => ({ shape: "endpoint", sample: await sampleHttp(live, endpoint, env, logger) }),
  };
}

/** One GET of the API URL as given (query included), with the connector's retries. */
async function sampleHttp(connection: HttpConnection, endpoint: Endpoint, env: readonly EnvVar[], logger: Logger): Promise<HttpResponseSample> {
  const live = new URL(joinUrl(connection.base_url, endpoint.path));
  for (const [k, v] of endpoint.liveQuery) live.searchParams.append(k, v);
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "agent-etl generate" };
  if (connection.auth?.type === "basic") headers.authorization = `Basic ${Buffer.from(basicAuthPair(connection.auth.username, connection.auth.password)).toString("base64")}`;
  // A token given in the URL's query is sent as given: mask it (in every encoding) like a password.
  const queryTokens = [...endpoint.liveQuery].filter(([k]) => SECRET_PARAM.test(k)).map(([, v]) => v);
  const secrets = httpSecrets(connection, [...env.map((e) => e.value), ...queryTokens]);
  const response = await fetchJson(
    { url: live, method: "GET", headers },
    { limiter: new RateLimiter(undefined), signal: new AbortController().signal, timeoutMs: 15_000, options: { ...DEFAULT_HTTP_OPTIONS, maxAttempts: 3 }, secrets, logger },
  );
  return { body: response.body, headers: response.headers };
}
