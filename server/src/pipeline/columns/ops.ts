/**
 * One transform op applied to a column set, matching the runner (server/src/runner/transforms):
 * the columns after it, and the column references it makes against its input.
 */
import type { Node, YAMLMap } from "yaml";
import { COLUMN_TYPES, type ColumnType } from "../model";
import { parseMetric } from "../metrics";
import { deref, keyName, pairsOf, stringValue, type AnyDoc } from "../nodes";
import { expressionType, fieldsOf } from "./expression";
import { innerSpan, namedList, namedPairs, type Named } from "./scalars";
import { typeIn, withColumn, type Column, type ColumnRef, type ColumnSet, type RefRole } from "./types";

export interface OpContext {
  doc: AnyDoc;
  stepId: string;
  opIndex: number;
  /** Where the input comes from (a step id), for messages. */
  from: string;
  /** The output of another step (for `join.with`). */
  outputOf: (stepId: string) => ColumnSet;
  refs: ColumnRef[];
}

export interface OpResult {
  output: ColumnSet;
  /** The right side's columns, for a join. */
  joinRight?: ColumnSet;
}

function ref(ctx: OpContext, n: Named, role: RefRole, against: ColumnSet, from = ctx.from): void {
  ctx.refs.push({ name: n.name, span: n.span, role, stepId: ctx.stepId, opIndex: ctx.opIndex, against, from });
}

function metricType(fn: string, source: ColumnType | undefined): ColumnType | undefined {
  if (fn === "count") return "integer";
  if (fn === "avg") return "number";
  if (fn === "sum") return source === "integer" ? "integer" : source === "decimal" ? "decimal" : "number";
  return source;
}

function aggregate(ctx: OpContext, value: unknown, input: ColumnSet): ColumnSet {
  let groupNode: unknown;
  let metricsNode: unknown;
  for (const p of namedPairs(ctx.doc, value)) {
    if (p.key.name === "group_by") groupNode = p.valueNode;
    if (p.key.name === "metrics") metricsNode = p.valueNode;
  }
  const out: Column[] = [];
  for (const g of namedList(ctx.doc, groupNode)) {
    ref(ctx, g, "group_by", input);
    const type = typeIn(input, g.name);
    out.push({ name: g.name, ...(type ? { type } : {}) });
  }
  for (const m of namedPairs(ctx.doc, metricsNode)) {
    const text = m.value?.name ?? "";
    const metric = parseMetric(text);
    const fn = metric?.fn;
    const column = metric?.column;
    if (column !== undefined && metric?.columnOffset !== undefined && m.valueNode) ref(ctx, { name: column, span: innerSpan(m.valueNode, text, metric.columnOffset, column.length) }, "metric", input);
    const type = fn ? metricType(fn, column ? typeIn(input, column) : undefined) : undefined;
    out.push({ name: m.key.name, ...(type ? { type } : {}) });
  }
  return out;
}

/** `on`: a column, a list, or `{left: right}`; the right side's key columns are not added (join.ts). */
function join(ctx: OpContext, value: unknown, input: ColumnSet): OpResult {
  let withId: string | undefined;
  let onNode: unknown;
  for (const p of namedPairs(ctx.doc, value)) {
    if (p.key.name === "with") withId = p.value?.name;
    if (p.key.name === "on") onNode = p.valueNode;
  }
  const right = withId ? ctx.outputOf(withId) : "unknown";
  const pairs = namedPairs(ctx.doc, onNode);
  const rightKeys = new Set<string>();
  if (pairs.length > 0) {
    for (const p of pairs) {
      ref(ctx, p.key, "join.on", input);
      if (p.value) {
        ref(ctx, p.value, "join.on", right, withId);
        rightKeys.add(p.value.name);
      }
    }
  } else {
    for (const n of namedList(ctx.doc, onNode)) {
      ref(ctx, n, "join.on", input);
      ref(ctx, n, "join.on", right, withId);
      rightKeys.add(n.name);
    }
  }
  if (input === "unknown" || right === "unknown" || !withId) return { output: "unknown", joinRight: right };
  let out = [...input];
  const leftNames = new Set(input.map((c) => c.name));
  for (const c of right) {
    if (rightKeys.has(c.name)) continue;
    const name = leftNames.has(c.name) ? `${withId}_${c.name}` : c.name;
    out = withColumn(out, { ...c, name });
  }
  return { output: out, joinRight: right };
}

function derive(ctx: OpContext, value: unknown, input: ColumnSet): ColumnSet {
  // Expressions run in order on the same record: a later one sees the columns derived before it.
  let current = input;
  for (const p of namedPairs(ctx.doc, value)) {
    const text = p.value?.name;
    if (text !== undefined && p.valueNode) expressionRefs(ctx, p.valueNode, text, current);
    if (current === "unknown") continue;
    const type = text !== undefined ? expressionType(text, current) : undefined;
    current = withColumn(current, { name: p.key.name, ...(type ? { type } : {}) });
  }
  return current;
}

function expressionRefs(ctx: OpContext, node: Node, text: string, against: ColumnSet): void {
  for (const f of fieldsOf(text)) ref(ctx, { name: f.name.replace(/^`|`$/g, ""), span: innerSpan(node, text, f.start, f.end - f.start) }, "expression", against);
}

function cast(ctx: OpContext, value: unknown, input: ColumnSet): ColumnSet {
  let out = input === "unknown" ? input : [...input];
  for (const p of namedPairs(ctx.doc, value)) {
    ref(ctx, p.key, "cast", input);
    const type = p.value?.name as ColumnType | undefined;
    if (out !== "unknown" && out.some((c) => c.name === p.key.name)) out = withColumn(out, { name: p.key.name, ...(type && COLUMN_TYPES.includes(type) ? { type } : {}) });
  }
  return out;
}

function rename(ctx: OpContext, value: unknown, input: ColumnSet): ColumnSet {
  const map = new Map<string, string>();
  for (const p of namedPairs(ctx.doc, value)) {
    ref(ctx, p.key, "rename", input);
    if (p.value) map.set(p.key.name, p.value.name);
  }
  return input === "unknown" ? input : input.map((c) => ({ ...c, name: map.get(c.name) ?? c.name }));
}

/** Applies one op (a map with one key) to `input`. Unknown ops and malformed values give "unknown". */
export function applyOp(ctx: OpContext, op: YAMLMap, input: ColumnSet): OpResult {
  const pair = pairsOf(ctx.doc, op)[0];
  const name = pair ? keyName(pair) : undefined;
  const value = pair?.value;
  switch (name) {
    case "select": {
      const list = namedList(ctx.doc, value);
      list.forEach((n) => ref(ctx, n, "select", input));
      return { output: list.map((n) => ({ name: n.name, ...(typeIn(input, n.name) ? { type: typeIn(input, n.name) } : {}) })) };
    }
    case "drop": {
      const list = namedList(ctx.doc, value);
      list.forEach((n) => ref(ctx, n, "drop", input));
      const dropped = new Set(list.map((n) => n.name));
      return { output: input === "unknown" ? input : input.filter((c) => !dropped.has(c.name)) };
    }
    case "rename":
      return { output: rename(ctx, value, input) };
    case "cast":
      return { output: cast(ctx, value, input) };
    case "filter": {
      const text = stringValue(ctx.doc, value);
      const node = deref(ctx.doc, value);
      if (text !== undefined && node) expressionRefs(ctx, node, text, input);
      return { output: input };
    }
    case "derive":
      return { output: derive(ctx, value, input) };
    case "dedupe":
      namedList(ctx.doc, value).forEach((n) => ref(ctx, n, "dedupe", input));
      return { output: input };
    case "join":
      return join(ctx, value, input);
    case "aggregate":
      return { output: aggregate(ctx, value, input) };
    case "limit":
      return { output: input };
    default:
      return { output: "unknown" };
  }
}
