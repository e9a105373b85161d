/**
 * Names for `${env:…}`: the server's environment plus `.env` files beside the pipeline, at the
 * workspace root and the one named in settings. Files are re-read only when their mtime changes.
 * Only names are kept; values are never read into memory beyond parsing the line.
 */
import { statSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

interface CachedFile {
  mtimeMs: number;
  names: string[];
}

const files = new Map<string, CachedFile>();

/** Names defined in a `.env` text (`NAME=…`, optional `export `); values are ignored. */
export function parseEnvNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}

function namesIn(path: string): { names: string[]; stamp: string } {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    files.delete(path);
    return { names: [], stamp: "-" };
  }
  let cached = files.get(path);
  if (!cached || cached.mtimeMs !== mtimeMs) {
    let names: string[];
    try {
      names = parseEnvNames(readFileSync(path, "utf8"));
    } catch {
      names = [];
    }
    cached = { mtimeMs, names };
    files.set(path, cached);
  }
  return { names: cached.names, stamp: String(mtimeMs) };
}

export function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The `.env` files that count for a document, nearest first. */
export function envFilesFor(uri: string, workspaceRoot: string | undefined, envFile: string): string[] {
  const path = filePathOf(uri);
  const out: string[] = [];
  if (path) out.push(join(dirname(path), ".env"));
  if (workspaceRoot) out.push(join(workspaceRoot, ".env"));
  if (envFile) out.push(isAbsolute(envFile) || !workspaceRoot ? envFile : join(workspaceRoot, envFile));
  return [...new Set(out)];
}

export interface EnvNames {
  names: ReadonlySet<string>;
  /** Changes when any source of names changes: part of the analysis cache key. */
  stamp: string;
}

export function envNamesFor(uri: string, workspaceRoot: string | undefined, envFile: string): EnvNames {
  const names = new Set(Object.keys(process.env));
  const stamps: string[] = [];
  for (const file of envFilesFor(uri, workspaceRoot, envFile)) {
    const found = namesIn(file);
    for (const n of found.names) names.add(n);
    stamps.push(found.stamp);
  }
  return { names, stamp: stamps.join("|") };
}
