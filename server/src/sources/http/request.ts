/** Builds the first request of an HTTP extract: URL, query, headers, auth and body, templates rendered. */
import type { z } from "zod";
import type { HttpConnectionSchema } from "./descriptor";
import { renderTemplate, TemplateError, type TemplateValues } from "../../pipeline/templates";
import { ConnectorError } from "../../errors";
import { basicAuthPair, scrubSecrets } from "../../env/scrub";
import type { ExtractRequest } from "../types";
import type { PreparedRequest } from "./fetchJson";

export type HttpConnection = z.output<typeof HttpConnectionSchema>;

function render<T>(value: T, templates: TemplateValues): T {
  if (typeof value === "string") return renderTemplate(value, templates) as T;
  if (Array.isArray(value)) return value.map((v) => render(v, templates)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, templates)])) as T;
  }
  return value;
}

export function joinUrl(base: string, path: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ConnectorError("http-base-url", `\`base_url\` ${JSON.stringify(scrubSecrets(base.replace(/\/\/[^@/]*@/, "//***@")))} is not a URL; write it like https://api.example.com/v1`);
  }
  // fetch refuses such a URL on every try: a mistake in the file, not a failure worth retrying.
  if (url.username !== "" || url.password !== "") {
    throw new ConnectorError("http-url-credentials", `\`base_url\` (${url.protocol}//***@${url.host}) holds credentials, which are never sent from a URL: remove them and add \`auth: {type: basic, username: …, password: \${env:…}}\` to the connection`, false);
  }
  if (!path) return url;
  const joined = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  const [pathname, search] = joined.split("?", 2) as [string, string | undefined];
  url.pathname = pathname;
  if (search !== undefined) for (const [k, v] of new URLSearchParams(search)) url.searchParams.append(k, v);
  return url;
}

function authHeader(connection: HttpConnection): string | undefined {
  const auth = connection.auth;
  if (auth?.type === "bearer") return `Bearer ${auth.token}`;
  if (auth?.type === "basic") return `Basic ${Buffer.from(basicAuthPair(auth.username, auth.password)).toString("base64")}`;
  return undefined;
}

/** The secrets of an HTTP connection (token, password and `user:password`, header values) for scrubbing messages. */
export function httpSecrets(connection: HttpConnection, secrets: readonly string[]): string[] {
  const out = [...secrets];
  if (connection.auth?.type === "bearer") out.push(connection.auth.token);
  if (connection.auth?.type === "basic") out.push(connection.auth.password, basicAuthPair(connection.auth.username, connection.auth.password));
  for (const [name, value] of Object.entries(connection.headers ?? {})) if (/auth|token|key|secret|cookie/i.test(name)) out.push(value);
  return out;
}

export function firstRequest(request: ExtractRequest): PreparedRequest {
  const connection = request.connection as HttpConnection;
  const { extract, templates } = request;
  try {
    const url = joinUrl(connection.base_url, extract.path === undefined ? undefined : render(extract.path, templates));
    const query = extract.query;
    if (typeof query === "string") throw new ConnectorError("http-query", "an HTTP extract's `query` is a map of query parameters, not a string");
    for (const [k, v] of Object.entries(render(query ?? {}, templates))) {
      if (v === undefined || v === null) continue;
      url.searchParams.set(k, typeof v === "object" ? JSON.stringify(v) : String(v));
    }
    // `incremental`: the mark (the last run's, less `lag`; else `initial`) goes to the API as a parameter.
    const mark = extract.incremental?.param !== undefined ? (request.highWater ?? extract.incremental.initial) : undefined;
    if (mark !== undefined) url.searchParams.set(extract.incremental?.param as string, String(mark));
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "agent-etl", ...connection.headers };
    const auth = authHeader(connection);
    if (auth) headers.authorization = auth;
    const method = extract.method ?? "GET";
    const prepared: PreparedRequest = { url, method, headers };
    if (extract.body !== undefined) {
      prepared.body = JSON.stringify(render(extract.body, templates));
      headers["content-type"] = "application/json";
    }
    return prepared;
  } catch (err: unknown) {
    if (err instanceof TemplateError) throw new ConnectorError("template", err.message);
    throw err;
  }
}
