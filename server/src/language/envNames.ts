/** The env names of a document, by its URI; the files and the parsing live in env/. */
import { fileURLToPath } from "node:url";
import { envNamesAt, type EnvNames } from "../env/names";

export type { EnvNames };

export function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function envNamesFor(uri: string, workspaceRoot: string | undefined, envFile: string): EnvNames {
  return envNamesAt(filePathOf(uri), workspaceRoot, envFile);
}
