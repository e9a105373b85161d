/** Bounds and folder arithmetic of folder listings, shared by the S3 and file analyzers (no SDK imports). */
export const DEFAULT_FOLDER_LIMIT = 1000;
export const MAX_FOLDER_LIMIT = 10_000;

/** A folder as the picker wants it: `""` or ending in `/`. */
export function folderPrefix(prefix: string): string {
  const p = prefix.replace(/^\/+/, "");
  return p === "" || p.endsWith("/") ? p : `${p}/`;
}
