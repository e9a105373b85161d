/**
 * The folder a file connection's paths are relative to, and keeping paths inside it. Apart from the
 * connector (file.ts) so that staging and analysis get them without loading every file format.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ConnectorError } from "../../errors";
import type { Connection } from "../../pipeline/model";

/** The folder a file connection's paths are relative to. */
export function fileRoot(connection: Connection, baseDir: string): string {
  const root = connection.type === "file" ? (connection as { root?: string }).root : undefined;
  return resolve(baseDir, root ?? ".");
}

/** Whether `path` is `root` or under it (lexically). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** Resolves `path` under `root` lexically; refuses `../` escapes and absolute paths elsewhere. */
export function confinePath(root: string, path: string, connectionName = "file"): string {
  const full = resolve(root, path);
  if (!isInside(root, full)) {
    throw new ConnectorError("path-outside-root", `path \`${path}\` leaves the root of connection \`${connectionName}\` (${root}); use a path inside it, or set the connection's \`root\``);
  }
  return full;
}
