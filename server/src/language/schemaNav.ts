/** Walks the pipeline JSON Schema along a key path, for completion and hover. */
import schemaJson from "../../../schemas/pipeline.schema.json";

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  default?: unknown;
}

const ROOT = schemaJson as unknown as SchemaNode;

/** A schema and its union branches, flattened. */
function expand(node: SchemaNode | undefined): SchemaNode[] {
  if (!node) return [];
  const branches = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
  if (branches.length === 0) return [node];
  return [node, ...branches.flatMap(expand)];
}

/** `typeHint`: the `type` written beside the keys, to pick one connection (or paginate/auth) branch. */
function pick(nodes: SchemaNode[], typeHint: string | undefined): SchemaNode[] {
  if (typeHint === undefined) return nodes;
  const typed = nodes.filter((n) => n.properties?.["type"]?.const !== undefined);
  const matching = typed.filter((n) => n.properties?.["type"]?.const === typeHint);
  return matching.length > 0 ? nodes.filter((n) => !typed.includes(n) || matching.includes(n)) : nodes;
}

/** The schemas that may apply at `path` (keys, with "[]" for a list item). */
export function schemasAt(path: readonly string[], typeHint?: string): SchemaNode[] {
  let current = expand(ROOT);
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const next: SchemaNode[] = [];
    for (const node of current) {
      if (segment === "[]") next.push(...expand(node.items));
      else if (node.properties?.[segment]) next.push(...expand(node.properties[segment]));
      else if (typeof node.additionalProperties === "object") next.push(...expand(node.additionalProperties));
    }
    current = last ? next : next;
  });
  return pick(current, typeHint);
}

export interface KeyInfo {
  name: string;
  description?: string;
  schema: SchemaNode;
}

/** Keys a map at `path` may hold, merged over union branches, in schema order. */
export function keysAt(path: readonly string[], typeHint?: string): KeyInfo[] {
  const out = new Map<string, KeyInfo>();
  for (const node of schemasAt(path, typeHint)) {
    for (const [name, schema] of Object.entries(node.properties ?? {})) {
      const existing = out.get(name);
      const description = existing?.description ?? schema.description ?? expand(schema).find((s) => s.description)?.description;
      out.set(name, { name, schema: existing?.schema ?? schema, ...(description !== undefined ? { description } : {}) });
    }
  }
  return [...out.values()];
}

/** Fixed values allowed at `path`: enums, consts and booleans. */
export function valuesAt(path: readonly string[], typeHint?: string): string[] {
  const out = new Set<string>();
  for (const node of schemasAt(path, typeHint).flatMap(expand)) {
    for (const v of node.enum ?? []) out.add(String(v));
    if (node.const !== undefined) out.add(String(node.const));
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes("boolean")) {
      out.add("true");
      out.add("false");
    }
  }
  return [...out];
}

/** The description of the key at the end of `path`. */
export function describe(path: readonly string[], typeHint?: string): string | undefined {
  const key = path[path.length - 1];
  if (key === undefined) return ROOT.description;
  return keysAt(path.slice(0, -1), typeHint).find((k) => k.name === key)?.description;
}

/** The broad shape of a value, for insert text. */
export function shapeOf(schema: SchemaNode): "object" | "objectList" | "list" | "scalar" {
  const all = expand(schema);
  if (all.some((s) => s.type === "object") && !all.some((s) => s.type === "string")) return "object";
  const list = all.find((s) => s.type === "array");
  if (list) return expand(list.items).some((s) => s.type === "object") ? "objectList" : "list";
  return "scalar";
}
