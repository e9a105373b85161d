/**
 * `--from` / `--to` values: a PostgreSQL URL, `s3://bucket/prefix?endpoint=…&region=…&force_path_style=true`,
 * an HTTP(S) API URL, or a local folder/file path. Each becomes two connections: the live one
 * (real values, used to read metadata now) and the written one, where every secret is an
 * `${env:NAME}` reference; the variables are listed so the command can say what to set.
 */
import { existsSync, statSync } from "node:fs";
import { basename, relative, resolve } from "node:path";
import { UsageError } from "../errors";
import { scrubSecrets } from "../env/scrub";
import type { Connection } from "../pipeline/model";

/** A variable the written file references; `value` is for this process only, never printed. */
export interface EnvVar {
  name: string;
  value: string;
  why: string;
}

interface Base {
  /** Short name of what it is (database, bucket, host, folder), for the pipeline's name. */
  label: string;
  live: Connection;
  written: Record<string, unknown>;
  env: EnvVar[];
  /** Things the user must know (e.g. a token left out of the file). */
  notes: string[];
}

export type Location =
  | (Base & { kind: "postgres" })
  | (Base & { kind: "s3"; prefix: string })
  | (Base & { kind: "http"; path: string; query: URLSearchParams; liveQuery: URLSearchParams })
  | (Base & { kind: "file"; root: string; file?: string });

export type Role = "source" | "target";

/** Query parameter names that carry credentials: left out of the written file, scrubbed from messages. */
export const SECRET_PARAM = /token|key|secret|password|passwd|pwd|signature|^sig$|auth|credential|session/i;

function envName(role: Role, what: string): string {
  return `${role.toUpperCase()}_${what}`;
}

function parsePostgres(text: string, role: Role): Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${role === "source" ? "from" : "to"}: ${JSON.stringify(scrubSecrets(text.replace(/\/\/[^@/]*@/, "//***@")))} is not a PostgreSQL URL; write postgres://user@host:5432/database`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username) || "postgres";
  const hasSecret = url.password !== "" || [...url.searchParams.keys()].some((k) => SECRET_PARAM.test(k));
  const env: EnvVar[] = [];
  let written: Record<string, unknown> = { type: "postgres", url: text };
  if (hasSecret) {
    const name = envName(role, "DATABASE_URL");
    env.push({ name, value: text, why: `the ${role} database URL (it holds a password)` });
    written = { type: "postgres", url: `\${env:${name}}` };
  }
  return { kind: "postgres", label: database, live: { type: "postgres", url: text }, written, env, notes: [] };
}

function parseS3(text: string): Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${JSON.stringify(scrubSecrets(text))} is not an S3 URL; write s3://bucket/prefix`);
  }
  const bucket = url.hostname;
  if (!bucket) throw new UsageError(`${JSON.stringify(text)} names no bucket; write s3://bucket/prefix`);
  let prefix = decodeURIComponent(url.pathname.replace(/^\/+/, ""));
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
  const conn: Record<string, unknown> = { type: "s3", bucket };
  const region = url.searchParams.get("region");
  const endpoint = url.searchParams.get("endpoint");
  const pathStyle = url.searchParams.get("force_path_style");
  if (region) conn.region = region;
  if (endpoint) conn.endpoint = endpoint;
  if (pathStyle !== null) conn.force_path_style = pathStyle === "" || pathStyle === "true" || pathStyle === "1";
  if (prefix) conn.prefix = prefix;
  const notes = ["S3 credentials come from the AWS default chain: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) where the pipeline runs"];
  return { kind: "s3", label: bucket, prefix, live: conn as Connection, written: { ...conn }, env: [], notes };
}

function parseHttp(text: string, role: Role): Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${role === "source" ? "from" : "to"}: ${JSON.stringify(scrubSecrets(text))} is not a URL; write it like https://api.example.com/v1/items`);
  }
  const env: EnvVar[] = [];
  const notes: string[] = [];
  const live: Record<string, unknown> = { type: "http", base_url: url.origin };
  const written: Record<string, unknown> = { type: "http", base_url: url.origin };
  if (url.username || url.password) {
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const name = envName(role, "API_PASSWORD");
    env.push({ name, value: password, why: `the password for ${url.host}` });
    live.auth = { type: "basic", username, password };
    written.auth = { type: "basic", username, password: `\${env:${name}}` };
    live.base_url = written.base_url = url.origin;
  }
  const query = new URLSearchParams();
  for (const [k, v] of url.searchParams) {
    if (SECRET_PARAM.test(k)) notes.push(`the query parameter \`${k}\` looks like a credential and was left out of the file; send it as a header in the connection (\`headers\` with \`\${env:…}\`) if the API accepts one`);
    else query.append(k, v);
  }
  return { kind: "http", label: url.hostname, path: url.pathname, query, liveQuery: new URLSearchParams(url.searchParams), live: live as Connection, written, env, notes };
}

function parsePath(text: string, role: Role, baseDir: string, cwd: string): Location {
  const full = resolve(cwd, text);
  const exists = existsSync(full);
  if (role === "source" && !exists) throw new UsageError(`--from: ${text} does not exist; give a folder or a data file (or a postgres://, s3:// or http(s):// URL)`);
  const isFile = exists && statSync(full).isFile();
  const root = isFile ? resolve(full, "..") : full;
  const rel = relative(baseDir, root);
  const written = { type: "file", root: rel === "" ? "." : rel };
  const loc: Location = { kind: "file", label: basename(root) || "files", root, live: { type: "file", root }, written, env: [], notes: [] };
  if (isFile) loc.file = basename(full);
  return loc;
}

/** Parses a `--from`/`--to` value; `baseDir` is the folder of the file being written (relative roots). */
export function parseLocation(text: string, role: Role, baseDir: string, cwd = process.cwd()): Location {
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError(`--${role === "source" ? "from" : "to"} is empty`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return parsePostgres(trimmed, role);
  if (scheme === "s3") return parseS3(trimmed);
  if (scheme === "http" || scheme === "https") return parseHttp(trimmed, role);
  if (scheme === "file") return parsePath(decodeURIComponent(new URL(trimmed).pathname), role, baseDir, cwd);
  if (scheme !== undefined) throw new UsageError(`unsupported scheme \`${scheme}://\`; use postgres://, s3://, http(s):// or a local path`);
  return parsePath(trimmed, role, baseDir, cwd);
}
