/**
 * Where live completion applies: the cursor's key path (cursor.ts) read as a slot — a column name,
 * a JSONata expression, a table, or an object key/path.
 */
import type { CursorContext } from "../cursor";
import { descriptorFor } from "../../sources/registry";

export type Slot =
  | { kind: "column"; yamlKey: boolean }
  | { kind: "expression" }
  | { kind: "table" }
  | { kind: "key" };

const LIST_OPS = new Set(["select", "drop", "dedupe"]);
const MAP_OPS = new Set(["rename", "cast"]);

/** A `- ` item of a list of scalars is a value, not a key (as completion.ts reads it). */
function normalized(ctx: CursorContext): { path: string[]; value: boolean } {
  const path = ctx.path;
  if (ctx.position === "key" && path[path.length - 1] === "[]" && path.length > 3 && path[path.length - 2] !== "transform" && path[path.length - 2] !== "steps") return { path: path.slice(0, -1), value: true };
  return { path, value: ctx.position === "value" };
}

function transformSlot(p: string[], value: boolean, linePrefix: string): Slot | undefined {
  const op = p[4];
  if (op === undefined || p[3] !== "[]") return undefined;
  if (p.length === 5 && value && op !== undefined && LIST_OPS.has(op)) return { kind: "column", yamlKey: false };
  if (p.length === 5 && !value && MAP_OPS.has(op)) return { kind: "column", yamlKey: true };
  if (p.length === 5 && value && op === "filter") return { kind: "expression" };
  if (p.length === 6 && value && op === "derive") return { kind: "expression" };
  if (op === "join" && p[5] === "on") {
    if (p.length === 6) return { kind: "column", yamlKey: !value };
    if (p.length === 7 && value) return { kind: "column", yamlKey: false };
  }
  if (op === "aggregate" && value) {
    if (p.length === 6 && p[5] === "group_by") return { kind: "column", yamlKey: false };
    if (p.length === 7 && p[5] === "metrics" && /\(\s*[\w.-]*$/.test(linePrefix)) return { kind: "column", yamlKey: false };
  }
  return undefined;
}

const LIST_CHECKS = new Set(["not_null", "unique"]);
const COLUMN_CHECKS = new Set(["accepted_values", "range", "freshness"]);

/** `checks: [{not_null: [·]}, {range: {column: ·}}, {expression: ·}]`: names of the step's own output. */
function checkSlot(p: string[], value: boolean): Slot | undefined {
  const check = p[4];
  if (p[3] !== "[]" || check === undefined || !value) return undefined;
  if (p.length === 5 && LIST_CHECKS.has(check)) return { kind: "column", yamlKey: false };
  if (p.length === 5 && check === "expression") return { kind: "expression" };
  if (p.length === 6 && COLUMN_CHECKS.has(check) && p[5] === "column") return { kind: "column", yamlKey: false };
  return undefined;
}

/** The live slot at the cursor, for a step whose connection has `connectionType`. */
export function slotAt(ctx: CursorContext, connectionType: string | undefined): Slot | undefined {
  const { path: p, value } = normalized(ctx);
  if (p[0] !== "steps" || p[1] !== "[]") return undefined;
  const kind = p[2];
  if (kind === "transform") return transformSlot(p, value, ctx.linePrefix);
  if (kind === "checks") return checkSlot(p, value);
  if (!value || (kind !== "extract" && kind !== "load")) return undefined;
  const descriptor = descriptorFor(connectionType);
  if (!descriptor) return undefined;
  const key = p[3];
  if (p.length === 4 && key !== undefined && key === descriptor.tableKey) return { kind: "table" };
  if (p.length === 4 && key !== undefined && key === descriptor.dataFileKey) return { kind: "key" };
  const columnPaths = (kind === "extract" ? descriptor.extract : descriptor.load)?.columnPaths ?? [];
  const under = p.slice(3);
  if (columnPaths.some((path) => path.length === under.length && path.every((k, i) => k === under[i]))) return { kind: "column", yamlKey: false };
  return undefined;
}
