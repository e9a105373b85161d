/**
 * Names for `${env:…}` in the editor: the server's environment plus the `.env` files that count for
 * the document (see editorEnvFiles). Files are re-read only when their mtime changes, and only
 * their names are kept.
 */
import { readFileSync, statSync } from "node:fs";
import { editorEnvFiles } from "./discovery";
import { dotenvNames } from "./dotenv";

interface CachedFile {
  mtimeMs: number;
  names: string[];
}

const files = new Map<string, CachedFile>();

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
      names = dotenvNames(readFileSync(path, "utf8"));
    } catch {
      names = [];
    }
    cached = { mtimeMs, names };
    files.set(path, cached);
  }
  return { names: cached.names, stamp: String(mtimeMs) };
}

export interface EnvNames {
  names: ReadonlySet<string>;
  /** Changes when any source of names changes: part of the analysis cache key. */
  stamp: string;
}

/** `path` is the pipeline file's, absent for an unsaved document. */
export function envNamesAt(path: string | undefined, workspaceRoot: string | undefined, envFile: string): EnvNames {
  const names = new Set(Object.keys(process.env));
  const stamps: string[] = [];
  for (const file of editorEnvFiles(path, workspaceRoot, envFile)) {
    const found = namesIn(file);
    for (const n of found.names) names.add(n);
    stamps.push(found.stamp);
  }
  return { names, stamp: stamps.join("|") };
}
