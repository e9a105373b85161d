/** The `http` connection type: an HTTP JSON API (descriptor: sources/descriptor.ts). */
import { z } from "zod";
import { connectionTypeLiteral, duration } from "../../pipeline/schemaParts";
import type { ConnectorDescriptor } from "../descriptor";
import { hasTemplate, nonEmpty } from "../descriptor";

const HttpAuthSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("bearer").meta({ description: "Sends `Authorization: Bearer <token>`." }),
      token: z.string().meta({ description: "The bearer token. Use `${env:API_TOKEN}`, never a literal." }),
    }),
    z.strictObject({
      type: z.literal("basic").meta({ description: "Sends HTTP basic authentication." }),
      username: z.string().meta({ description: "User name." }),
      password: z.string().meta({ description: "Password. Use `${env:API_PASSWORD}`, never a literal." }),
    }),
  ])
  .meta({ description: "Authentication: `{type: bearer, token}` or `{type: basic, username, password}`.", examples: [{ type: "bearer", token: "${env:API_TOKEN}" }] });

export const HttpConnectionSchema = z
  .strictObject({
    type: connectionTypeLiteral("http", "An HTTP JSON API."),
    base_url: z.string().min(1).meta({ description: "Base URL that step `path`s are appended to, e.g. `https://api.example.com/v2`.", examples: ["https://api.example.com/v1"] }),
    headers: z.record(z.string(), z.string()).optional().meta({ description: "Headers sent with every request. Secrets go in `${env:…}` references." }),
    auth: HttpAuthSchema.optional(),
    rate_limit: z.number().positive().optional().meta({ description: "Most requests per second sent to this API.", examples: [5] }),
    timeout: duration("Longest wait for one response, e.g. `30s`.").optional(),
  })
  .meta({ description: "An HTTP API that returns JSON." });

export const httpDescriptor: ConnectorDescriptor<typeof HttpConnectionSchema> = {
  type: "http",
  noun: "an HTTP API",
  schema: HttpConnectionSchema,
  snippets: [{ label: "http", detail: "An HTTP JSON API with a bearer token from the environment", body: ["${1:api}:", "  type: http", "  base_url: ${2:https://api.example.com/v1}", "  auth:", "    type: bearer", "    token: \\${env:${3:API_TOKEN}}", "  rate_limit: ${4:5}", "$0"] }],
  secretKeys: ["token", "password"],
  urlKeysWithoutCredentials: ["base_url"],
  basicAuth: (connection) => {
    // The union's members all carry `type: ConnectionType`, so it does not narrow on it.
    const auth = (connection as { auth?: { type?: string; username?: unknown; password?: unknown } }).auth;
    if (auth?.type !== "basic" || typeof auth.username !== "string" || typeof auth.password !== "string" || !auth.password) return undefined;
    return { username: auth.username, password: auth.password };
  },
  extract: {
    keys: ["path", "method", "query", "body", "records", "paginate", "incremental"],
    incremental: { own: ["param", "from", "initial", "lag"], needs: ["param", "from"] },
    forms: [{ key: "query", form: "map", message: "an HTTP `query` is a map of query parameters, e.g. `{status: open}`" }],
  },
  place: (connection, _name, _baseDir, where) => `http:${((connection as { base_url?: string }).base_url ?? "").replace(/\/$/, "")}${where ?? ""}`,
  analysis: {
    requests: ["http-sample"],
    localOnly: false,
    addressed: () => true,
    stepRequest: (extract) => {
      const request: { kind: "http-sample"; path: string; method?: "GET" | "POST"; query?: Record<string, unknown>; body?: unknown; records?: string } = { kind: "http-sample", path: extract.path ?? "" };
      if (extract.method) request.method = extract.method;
      if (extract.query !== undefined && typeof extract.query === "object") request.query = extract.query;
      if (extract.body !== undefined) request.body = extract.body;
      if (extract.records !== undefined) request.records = extract.records;
      return request;
    },
    liveRequest: (extract) => {
      const path = typeof extract["path"] === "string" ? extract["path"] : "";
      if (hasTemplate([path, extract["query"], extract["body"]])) return undefined;
      const method = extract["method"] === "POST" ? "POST" : "GET";
      const query = extract["query"] && typeof extract["query"] === "object" ? (extract["query"] as Record<string, unknown>) : undefined;
      const records = nonEmpty(extract["records"]);
      return { kind: "http-sample", path, method, ...(query ? { query } : {}), ...(extract["body"] !== undefined ? { body: extract["body"] } : {}), ...(records ? { records } : {}) };
    },
    cacheTtlSeconds: 600,
    analyzer: async () => (await import("./analyze.js")).analyzeHttp,
  },
  generate: {
    schemes: ["http", "https"],
    example: "an http(s):// API URL",
    locate: async (text, options) => (await import("./generation.js")).locateHttp(text, options),
  },
  connector: async () => (await import("./index.js")).httpConnector,
};
