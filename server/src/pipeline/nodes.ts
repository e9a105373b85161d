/** Small helpers over the `yaml` AST: spans, keys, paths. Aliases are followed one hop at a time. */
import * as yaml from "yaml";
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from "yaml";
import type { Span } from "./problem";

export type AnyDoc = Document.Parsed | Document;

// `yaml`'s type guards, bound once: a bundled CommonJS package's exports are read through a getter
// on every use, which showed up in profiles of the language server walking 5,000-step files.
export const isAlias: typeof yaml.isAlias = yaml.isAlias;
export const isMap: typeof yaml.isMap = yaml.isMap;
export const isPair: typeof yaml.isPair = yaml.isPair;
export const isScalar: typeof yaml.isScalar = yaml.isScalar;
export const isSeq: typeof yaml.isSeq = yaml.isSeq;

export function spanOf(node: Node | null | undefined, fallback: Span = { start: 0, end: 0 }): Span {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : fallback;
}

/** Aliases expanded when turning the document into data; beyond this it is treated as an alias bomb. */
export const MAX_ALIAS_COUNT = 1000;

/**
 * A node's plain data, or undefined when it has none: in a document with a YAML problem a node can
 * hold an alias to no anchor, a merge of a scalar or an alias bomb, which `toJS` throws on.
 */
export function plainValue(doc: AnyDoc, node: Node | AnyDoc | null | undefined): unknown {
  if (!node || typeof node.toJS !== "function") return undefined;
  try {
    return yaml.isDocument(node) ? node.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) : node.toJS(doc as Document, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
}

/** Follows an alias to the node it names; returns other nodes unchanged. */
export function deref(doc: AnyDoc, node: unknown): Node | undefined {
  let current: unknown = node;
  for (let hops = 0; isAlias(current) && hops < 8; hops++) current = current.resolve(doc);
  return current === null || current === undefined ? undefined : (current as Node);
}

export function asMap(doc: AnyDoc, node: unknown): YAMLMap | undefined {
  const n = deref(doc, node);
  return isMap(n) ? n : undefined;
}

export function asSeq(doc: AnyDoc, node: unknown): YAMLSeq | undefined {
  const n = deref(doc, node);
  return isSeq(n) ? n : undefined;
}

/** The key of a pair as a string, when it is a plain scalar key. */
export function keyName(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key) && (typeof key.value === "string" || typeof key.value === "number" || typeof key.value === "boolean")) return String(key.value);
  return undefined;
}

/** The pairs of a map, with `<<: *anchor` merge keys expanded (the map's own keys win). */
export function pairsOf(doc: AnyDoc, map: YAMLMap): Pair[] {
  const own: Pair[] = [];
  const merged: Pair[] = [];
  for (const item of map.items) {
    if (!isPair(item)) continue;
    if (keyName(item) === "<<") {
      const sources = asSeq(doc, item.value)?.items ?? [item.value];
      for (const source of sources) merged.push(...(asMap(doc, source)?.items.filter(isPair) ?? []));
    } else own.push(item);
  }
  if (merged.length === 0) return own;
  const seen = new Set(own.map(keyName));
  return [...own, ...merged.filter((p) => !seen.has(keyName(p)))];
}

/** Maps with more items than this get a key index: looking a key up in them is then O(1), not O(items). */
const INDEXED_FROM = 32;

interface KeyIndex {
  /** The items array and length it was built from: maps only grow while they are built, so these tell it is current. */
  items: unknown[];
  length: number;
  pairs: Map<string, Pair>;
  merges: boolean;
}

const KEY_INDEX = new WeakMap<YAMLMap, KeyIndex>();

function keyIndex(map: YAMLMap): KeyIndex {
  const known = KEY_INDEX.get(map);
  if (known && known.items === map.items && known.length === map.items.length) return known;
  const pairs = new Map<string, Pair>();
  let merges = false;
  for (const item of map.items) {
    if (!isPair(item)) continue;
    const name = keyName(item);
    if (name === "<<") merges = true;
    else if (name !== undefined && !pairs.has(name)) pairs.set(name, item);
  }
  const index = { items: map.items, length: map.items.length, pairs, merges };
  KEY_INDEX.set(map, index);
  return index;
}

export function pairOf(doc: AnyDoc, map: YAMLMap | undefined, key: string): Pair | undefined {
  if (!map) return undefined;
  // A file with thousands of keys in one map asks for one key per problem: index large maps.
  if (map.items.length > INDEXED_FROM) {
    const index = keyIndex(map);
    const own = key === "<<" ? undefined : index.pairs.get(key);
    if (own || !index.merges) return own;
    return pairsOf(doc, map).find((p) => keyName(p) === key);
  }
  // The map's own keys come first in `pairsOf`; only a map with a merge key needs the full list.
  let merges = false;
  for (const item of map.items) {
    if (!isPair(item)) continue;
    const name = keyName(item);
    if (name === key && key !== "<<") return item;
    if (name === "<<") merges = true;
  }
  return merges ? pairsOf(doc, map).find((p) => keyName(p) === key) : undefined;
}

/** The string value of a scalar node, or undefined for anything else. */
export function stringValue(doc: AnyDoc, node: unknown): string | undefined {
  const n = deref(doc, node);
  return isScalar(n) && typeof n.value === "string" ? n.value : undefined;
}

export interface PathTarget {
  /** The node at the path, when it exists. */
  node?: Node;
  /** The key node of the last segment, when the last segment is a map key that exists. */
  key?: Node;
  /** The deepest node that exists along the path. */
  deepest: Node;
  /** The key node leading to `deepest`, if `deepest` is a map value. */
  deepestKey?: Node;
}

/** Walks a JSON-pointer-like path (ajv's `instancePath` segments) through the document. */
export function nodeAtPath(doc: AnyDoc, segments: readonly string[]): PathTarget | undefined {
  const root = deref(doc, doc.contents);
  if (!root) return undefined;
  let current: Node = root;
  let currentKey: Node | undefined;
  for (const segment of segments) {
    const map = asMap(doc, current);
    const seq = map ? undefined : asSeq(doc, current);
    let next: Node | undefined;
    let nextKey: Node | undefined;
    if (map) {
      const pair = pairOf(doc, map, segment);
      if (pair) {
        nextKey = pair.key as Node;
        next = deref(doc, pair.value) ?? (pair.key as Node);
      }
    } else if (seq) {
      const item = seq.items[Number(segment)];
      next = deref(doc, item);
    }
    if (!next) return { deepest: current, deepestKey: currentKey };
    current = next;
    currentKey = nextKey;
  }
  return { node: current, key: currentKey, deepest: current, deepestKey: currentKey };
}

/** Splits an ajv instance path (`/steps/0/load`) into unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The span of a seq item that is a map: its first key (usually `id`) or, for a step, the `id` value. */
export function itemHeadSpan(doc: AnyDoc, node: Node): Span {
  const map = asMap(doc, node);
  if (map) {
    const id = pairOf(doc, map, "id");
    if (id?.value) return spanOf(id.value as Node);
    const first = map.items.find(isPair);
    if (first) return spanOf(first.key as Node);
  }
  return spanOf(node);
}
