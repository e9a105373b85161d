/**
 * Cache keys for live analysis: a connection's fingerprint (a SHA-256 over its type and resolved
 * settings — the secrets go into the hash, never into the key in clear) and the request's stable JSON.
 * Both stay in memory: on disk they appear only as HMACs under the install key (diskStore.ts), since
 * a plain hash over a password can be checked against guesses offline.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { Connection } from "../../pipeline/model";
import { descriptorFor } from "../registry";
import type { AnalysisRequest, AnalyzeContext } from "./types";

/** JSON with object keys sorted and `undefined` dropped: equal values give equal text. */
export function stableJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stableJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The identity of a source: type + resolved connection (+ the base folder for local files, whose
 * `root` is relative to it). Two pipeline files naming the same database share one fingerprint.
 */
export function connectionFingerprint(ctx: Pick<AnalyzeContext, "connection" | "baseDir">): string {
  const identity: Record<string, unknown> = { type: ctx.connection.type, connection: ctx.connection };
  if (descriptorFor(ctx.connection.type)?.localFiles) identity.baseDir = resolve(ctx.baseDir);
  return sha256(`agent-etl-analysis/1\n${stableJson(identity)}`);
}

/** The cache key of one request on one source. */
export function cacheKey(fingerprint: string, request: AnalysisRequest): string {
  return sha256(`${fingerprint}\n${stableJson(request)}`);
}

/**
 * Values in a resolved connection that are secret even when written literally (passwords, tokens,
 * secret keys, the password of a URL, auth-like headers), to keep them out of the cache files.
 * Kept free of `pg`/AWS imports: the language server loads this module eagerly.
 */
export function connectionSecretValues(connection: Connection): string[] {
  const out: string[] = [];
  const c = connection as Record<string, unknown>;
  for (const key of ["password", "secret_access_key"]) if (typeof c[key] === "string" && c[key]) out.push(c[key]);
  for (const key of ["url", "base_url", "endpoint"]) {
    if (typeof c[key] !== "string") continue;
    try {
      const password = decodeURIComponent(new URL(c[key]).password);
      if (password) out.push(password, encodeURIComponent(password));
    } catch {
      // not a URL
    }
  }
  const auth = c.auth as { token?: unknown; password?: unknown } | undefined;
  if (typeof auth?.token === "string") out.push(auth.token);
  if (typeof auth?.password === "string") out.push(auth.password);
  const headers = c.headers as Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(headers ?? {})) if (typeof value === "string" && /auth|token|key|secret|cookie/i.test(name)) out.push(value);
  return out.filter((s) => s.length > 0);
}
