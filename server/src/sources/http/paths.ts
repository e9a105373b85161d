/** Dotted paths into JSON (`data.items`, `meta.next_cursor`) and RFC 8288 `Link` headers. */

/** The value at a dotted path; `undefined` when any step is missing. An empty path is the value itself. */
export function valueAt(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === "") return value;
  let current: unknown = value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = Array.isArray(current) && /^\d+$/.test(part) ? current[Number(part)] : (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * The targets of a `Link` header by relation: `<https://a/b?page=2>; rel="next", <…>; rel="last"`.
 * Handles quoted parameters (with commas and semicolons inside quotes) and multiple relations in one
 * `rel` ("next last"); relation names are case-insensitive.
 */
export function parseLinkHeader(header: string | null): Map<string, string> {
  const links = new Map<string, string>();
  if (!header) return links;
  let i = 0;
  const n = header.length;
  while (i < n) {
    const open = header.indexOf("<", i);
    if (open === -1) break;
    const close = header.indexOf(">", open);
    if (close === -1) break;
    const target = header.slice(open + 1, close).trim();
    i = close + 1;
    const params: Record<string, string> = {};
    // Parameters run until a comma outside quotes.
    while (i < n && header[i] !== ",") {
      const m = /^\s*;\s*([^\s=;,]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?/.exec(header.slice(i));
      if (!m) {
        i++;
        continue;
      }
      const raw = (m[2] ?? "").trim();
      params[(m[1] ?? "").toLowerCase()] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
      i += m[0].length;
    }
    i++;
    for (const rel of (params.rel ?? "").toLowerCase().split(/\s+/)) if (rel && !links.has(rel)) links.set(rel, target);
  }
  return links;
}
