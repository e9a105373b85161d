/**
 * zod leaves `__proto__` out of the records it parses (`z.record`), so a column called `__proto__`
 * would silently vanish from `rename`, `cast`, `derive`, `join.on` and `metrics`. The schema check
 * (ajv, on the YAML's own data) has already judged those keys like any other: this puts them back
 * into the typed pipeline, as own keys, wherever the parsed value is the map the data's was.
 */
import { setOwn } from "./ownKeys";

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Copies every own `__proto__` key of `raw`'s maps into the matching maps of `parsed` (in place). */
export function keepProtoKeys(raw: unknown, parsed: unknown): void {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    raw.forEach((item, i) => keepProtoKeys(item, parsed[i]));
    return;
  }
  if (!isMap(raw) || !isMap(parsed)) return;
  for (const key of Object.keys(raw)) if (key !== "__proto__" && Object.hasOwn(parsed, key)) keepProtoKeys(raw[key], parsed[key]);
  if (Object.hasOwn(raw, "__proto__") && !Object.hasOwn(parsed, "__proto__")) restoreInOrder(raw, parsed);
}

/** Puts `__proto__` back in its place among the keys: key order is column order (`metrics`, `derive`). */
function restoreInOrder(raw: Record<string, unknown>, parsed: Record<string, unknown>): void {
  const values = new Map(Object.entries(parsed));
  for (const key of values.keys()) delete parsed[key];
  for (const key of Object.keys(raw)) {
    if (key === "__proto__") setOwn(parsed, key, raw[key]);
    else if (values.has(key)) setOwn(parsed, key, values.get(key));
  }
  for (const [key, value] of values) if (!Object.hasOwn(parsed, key)) setOwn(parsed, key, value);
}
