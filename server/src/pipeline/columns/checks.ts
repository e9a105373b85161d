/**
 * Column references in a step's `checks:` (runner/checks): each names a column of the step's own
 * output, so it is checked against that set like any other reference.
 */
import type { Node } from "yaml";
import { asMap, asSeq, deref, keyName, pairOf, pairsOf, stringValue, type AnyDoc } from "../nodes";
import type { StepOutline } from "../outline";
import { fieldsOf } from "./expression";
import { innerSpan, named, namedList, type Named } from "./scalars";
import type { ColumnRef, ColumnSet } from "./types";

/** Check kinds whose value is a list of columns, and those whose value is a map with `column`. */
const LIST_CHECKS = new Set(["not_null", "unique"]);
const COLUMN_CHECKS = new Set(["accepted_values", "range", "freshness"]);

function checkColumns(doc: AnyDoc, name: string, value: unknown): Named[] {
  if (LIST_CHECKS.has(name)) return namedList(doc, value);
  if (!COLUMN_CHECKS.has(name)) return [];
  const column = named(doc, pairOf(doc, asMap(doc, value), "column")?.value);
  return column ? [column] : [];
}

function expressionFields(doc: AnyDoc, value: unknown): Named[] {
  const node = deref(doc, value) as Node | undefined;
  const text = stringValue(doc, node);
  if (text === undefined || !node) return [];
  return fieldsOf(text).map((f) => ({ name: f.name.replace(/^`|`$/g, ""), span: innerSpan(node, text, f.start, f.end - f.start) }));
}

/** Adds to `refs` every column the step's checks name, to be found in `output` (the step's own). */
export function checkRefs(doc: AnyDoc, step: StepOutline, stepId: string, output: ColumnSet, refs: ColumnRef[]): void {
  for (const item of asSeq(doc, step.checks?.node)?.items ?? []) {
    const map = asMap(doc, item);
    if (!map) continue;
    for (const pair of pairsOf(doc, map)) {
      const name = keyName(pair);
      if (name === undefined) continue;
      const names = name === "expression" ? expressionFields(doc, pair.value) : checkColumns(doc, name, pair.value);
      for (const n of names) refs.push({ name: n.name, span: n.span, role: "check", stepId, against: output, from: stepId });
    }
  }
}
