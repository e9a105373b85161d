/**
 * Names in generated pipelines: anything (a table called `Order Items`, a folder `2024-raw/`)
 * becomes an identifier (`^[a-z][a-z0-9_]{0,62}$`), and clashes get `_2`, `_3` … suffixes.
 */
import { IDENTIFIER_PATTERN } from "../pipeline/model";

const IDENTIFIER = new RegExp(IDENTIFIER_PATTERN);
const MAX_IDENTIFIER = 63;

/** A valid identifier of at most `max` characters from any text (`"Order Items"` → `order_items`). */
export function toIdentifier(text: string, max = MAX_IDENTIFIER, fallback = "unnamed"): string {
  let id = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (id === "") id = fallback;
  if (!/^[a-z]/.test(id)) id = `${/^[a-z]/.test(fallback) ? fallback.charAt(0) : "n"}_${id}`;
  id = id.slice(0, max).replace(/_+$/, "");
  return IDENTIFIER.test(id) ? id : fallback;
}

/** Hands out unique identifiers: the second `orders` becomes `orders_2`, never longer than `max`. */
export class NameSet {
  private readonly taken = new Set<string>();

  constructor(
    private readonly max = MAX_IDENTIFIER,
    reserved: Iterable<string> = [],
  ) {
    for (const name of reserved) this.taken.add(name);
  }

  /** A unique identifier for `text`, recorded as taken. */
  take(text: string, fallback = "unnamed"): string {
    const base = toIdentifier(text, this.max, fallback);
    let name = base;
    for (let n = 2; this.taken.has(name); n++) {
      const suffix = `_${n}`;
      name = `${base.slice(0, this.max - suffix.length).replace(/_+$/, "")}${suffix}`;
    }
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

/** How a PostgreSQL table is written in a pipeline: plain when safe, else double-quoted parts. */
export function tableRef(schema: string | undefined, name: string): string {
  const part = (p: string) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`);
  return schema === undefined ? part(name) : `${part(schema)}.${part(name)}`;
}
