/**
 * A pipeline outline as plain data, to compare two validations of one text: names, kinds and every
 * span, with each YAML node it holds reduced to its range (the trees are distinct objects).
 */
import { isDocument, isNode } from "yaml";
import type { PipelineOutline } from "../../server/src/pipeline/outline";

function plain(value: unknown): unknown {
  if (isDocument(value)) return undefined;
  if (isNode(value)) return { range: value.range ? [...value.range] : value.range };
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, plain(v)]);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

export function outlineFacts(outline: PipelineOutline): unknown {
  return plain(outline);
}
