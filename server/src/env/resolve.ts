/**
 * `${env:NAME}` and `${file:PATH}` in connections, resolved here and nowhere else. Every reference
 * is checked before any step starts; all missing ones are reported together.
 */
import { readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { EtlError } from "../errors";
import type { Connection } from "../pipeline/model";
import { findSecretRefs } from "../pipeline/secrets";
import { basicAuthPair } from "./scrub";
import { descriptorFor } from "../sources/registry";

export interface ResolvedConnections {
  connections: Record<string, Connection>;
  /**
   * Every resolved value, and values derived from several of them that we send (basic auth's
   * `user:password`), for scrubbing logs and errors; scrubSecrets masks each one's encodings too.
   */
  secrets: string[];
}

/**
 * A reference that cannot be resolved; the message names the connection and key, never a value.
 * `secret-file-outside` when a `${file:}` lies outside the folders it may be read from.
 */
export class SecretError extends EtlError {
  constructor(message: string, code: "missing-secret" | "secret-file-outside" = "missing-secret") {
    super(code, message);
  }
}

export interface ResolveOptions {
  /**
   * Folders `${file:}` may read from: the file's real path (symlinks and `..` resolved) must lie in
   * one of them. Absent: anywhere (a run the user starts). Live analysis passes the workspace folders
   * and `agentEtl.secretFolders`, so a pipeline from elsewhere cannot make the editor read, and send,
   * a file of the user's choosing.
   */
  secretFolders?: readonly string[];
}

interface Lookup {
  env: ReadonlyMap<string, string>;
  baseDir: string;
  folders: readonly string[] | undefined;
  secrets: Set<string>;
  missing: string[];
  outside: boolean;
}

/** `~/x` as the user means it; anything else as given. */
export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export type SecretFileAccess = { readable: string } | { outside: string } | { missing: true };

/**
 * Where `${file:NAME}` points once symlinks and `..` are resolved, and whether `folders` (when
 * given) allow reading it. The runner and the language server both read through this.
 */
export function secretFileAccess(name: string, baseDir: string, folders?: readonly string[]): SecretFileAccess {
  let real: string;
  try {
    real = realpathSync(resolve(baseDir, name));
  } catch {
    return { missing: true };
  }
  if (folders && !folders.some((f) => within(real, realOrResolved(f)))) return { outside: real };
  return { readable: real };
}

function resolveString(value: string, where: string, lookup: Lookup): string {
  const refs = findSecretRefs(value);
  if (refs.length === 0) return value;
  let out = "";
  let last = 0;
  for (const ref of refs) {
    out += value.slice(last, ref.start);
    last = ref.end;
    const resolved = ref.kind === "env" ? lookup.env.get(ref.name) : readSecretFile(ref.name, where, lookup);
    if (resolved === undefined) {
      if (ref.kind === "env") lookup.missing.push(`${where}: environment variable ${ref.name} is not set (set it, or add it to a .env file beside the pipeline)`);
      continue;
    }
    if (resolved.length > 0) lookup.secrets.add(resolved);
    out += resolved;
  }
  return out + value.slice(last);
}

function readSecretFile(name: string, where: string, lookup: Lookup): string | undefined {
  const access = secretFileAccess(name, lookup.baseDir, lookup.folders);
  if ("outside" in access) {
    lookup.outside = true;
    lookup.missing.push(`${where}: secret file ${name} is outside the workspace folders, so live analysis does not read it; to allow it, add its folder to the setting agentEtl.secretFolders`);
    return undefined;
  }
  try {
    if ("readable" in access) return readFileSync(access.readable, "utf8").trim();
  } catch {
    // reported below
  }
  lookup.missing.push(`${where}: secret file ${name} cannot be read (check the path; relative paths start at the pipeline's folder)`);
  return undefined;
}

function resolveValue(value: unknown, where: string, lookup: Lookup): unknown {
  if (typeof value === "string") return resolveString(value, where, lookup);
  if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, `${where}[${i}]`, lookup));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, `${where}.${k}`, lookup)]));
  }
  return value;
}

/** Secrets made of several values of one connection: what basic auth puts (in base64) on the wire. */
function derivedSecrets(connection: Connection): string[] {
  const auth = descriptorFor(connection.type)?.basicAuth?.(connection);
  return auth ? [basicAuthPair(auth.username, auth.password)] : [];
}

/** Resolves the named connections (all when `names` is absent); throws a SecretError listing every missing reference. */
export function resolveConnections(connections: Record<string, Connection> = {}, env: ReadonlyMap<string, string>, baseDir: string, names?: Iterable<string>, options: ResolveOptions = {}): ResolvedConnections {
  const lookup: Lookup = { env, baseDir, folders: options.secretFolders, secrets: new Set(), missing: [], outside: false };
  const wanted = names ? new Set(names) : new Set(Object.keys(connections));
  const out: Record<string, Connection> = {};
  for (const [name, connection] of Object.entries(connections)) {
    if (!wanted.has(name)) continue;
    out[name] = resolveValue(connection, `connections.${name}`, lookup) as Connection;
    for (const derived of derivedSecrets(out[name])) lookup.secrets.add(derived);
  }
  if (lookup.missing.length > 0) {
    throw new SecretError(`cannot resolve ${lookup.missing.length === 1 ? "a secret reference" : `${lookup.missing.length} secret references`}; no step was started:\n  ${lookup.missing.join("\n  ")}`, lookup.outside ? "secret-file-outside" : "missing-secret");
  }
  // Longest first, so a secret that contains another is scrubbed whole.
  return { connections: out, secrets: [...lookup.secrets].sort((a, b) => b.length - a.length) };
}

/**
 * Resolves the references in a value outside `connections` (a `notify` webhook's URL and headers).
 * `where` names it in messages; throws a SecretError listing every missing reference.
 */
export function resolveRefs<T>(value: T, where: string, env: ReadonlyMap<string, string>, baseDir: string): { value: T; secrets: string[] } {
  const lookup: Lookup = { env, baseDir, folders: undefined, secrets: new Set(), missing: [], outside: false };
  const resolved = resolveValue(value, where, lookup) as T;
  if (lookup.missing.length > 0) throw new SecretError(`cannot resolve ${lookup.missing.join("; ")}`);
  return { value: resolved, secrets: [...lookup.secrets].sort((a, b) => b.length - a.length) };
}
