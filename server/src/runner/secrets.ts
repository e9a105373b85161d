/**
 * `${env:NAME}` and `${file:PATH}` in connections, resolved here and nowhere else. Every reference
 * is checked before any step starts; all missing ones are reported together.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EtlError } from "../errors";
import type { Connection } from "../pipeline/model";
import { findSecretRefs } from "../pipeline/secrets";

export interface ResolvedConnections {
  connections: Record<string, Connection>;
  /** Every resolved value, for scrubbing logs and errors. */
  secrets: string[];
}

/** A reference that cannot be resolved; the message names the connection and key, never a value. */
export class SecretError extends EtlError {
  constructor(message: string) {
    super("missing-secret", message);
  }
}

interface Lookup {
  env: ReadonlyMap<string, string>;
  baseDir: string;
  secrets: Set<string>;
  missing: string[];
}

function resolveString(value: string, where: string, lookup: Lookup): string {
  const refs = findSecretRefs(value);
  if (refs.length === 0) return value;
  let out = "";
  let last = 0;
  for (const ref of refs) {
    out += value.slice(last, ref.start);
    last = ref.end;
    const resolved = ref.kind === "env" ? lookup.env.get(ref.name) : readSecretFile(ref.name, lookup.baseDir);
    if (resolved === undefined) {
      lookup.missing.push(ref.kind === "env" ? `${where}: environment variable ${ref.name} is not set (set it, or add it to a .env file beside the pipeline)` : `${where}: secret file ${ref.name} cannot be read (check the path; relative paths start at the pipeline's folder)`);
      continue;
    }
    if (resolved.length > 0) lookup.secrets.add(resolved);
    out += resolved;
  }
  return out + value.slice(last);
}

function readSecretFile(path: string, baseDir: string): string | undefined {
  try {
    return readFileSync(resolve(baseDir, path), "utf8").trim();
  } catch {
    return undefined;
  }
}

function resolveValue(value: unknown, where: string, lookup: Lookup): unknown {
  if (typeof value === "string") return resolveString(value, where, lookup);
  if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, `${where}[${i}]`, lookup));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, `${where}.${k}`, lookup)]));
  }
  return value;
}

/** Resolves the named connections (all when `names` is absent); throws a SecretError listing every missing reference. */
export function resolveConnections(connections: Record<string, Connection> = {}, env: ReadonlyMap<string, string>, baseDir: string, names?: Iterable<string>): ResolvedConnections {
  const lookup: Lookup = { env, baseDir, secrets: new Set(), missing: [] };
  const wanted = names ? new Set(names) : new Set(Object.keys(connections));
  const out: Record<string, Connection> = {};
  for (const [name, connection] of Object.entries(connections)) {
    if (!wanted.has(name)) continue;
    out[name] = resolveValue(connection, `connections.${name}`, lookup) as Connection;
  }
  if (lookup.missing.length > 0) {
    throw new SecretError(`cannot resolve ${lookup.missing.length === 1 ? "a secret reference" : `${lookup.missing.length} secret references`}; no step was started:\n  ${lookup.missing.join("\n  ")}`);
  }
  // Longest first, so a secret that contains another is scrubbed whole.
  return { connections: out, secrets: [...lookup.secrets].sort((a, b) => b.length - a.length) };
}
