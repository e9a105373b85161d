/**
 * `schema-drift`: a postgres load whose records' columns (from live analysis, propagated through
 * the pipeline) differ from its existing table's (from the connection's catalog), while its
 * `on_schema_change` is `fail` — the run would fail. Reported only when both sides are known.
 */
import type { Node } from "yaml";
import type { ColumnSet } from "../../pipeline/columns";
import { asMap, pairOf, spanOf, stringValue } from "../../pipeline/nodes";
import type { PipelineOutline, StepOutline } from "../../pipeline/outline";
import { problem, type Problem } from "../../pipeline/problem";
import { compareColumns, describeDrift, hasDrift, SQL_TYPES, type Drift, type IncomingColumn, type TargetColumn } from "../../pipeline/schemaDrift";
import { closest } from "../../pipeline/suggest";
import type { TableInfo } from "../../sources/analysis/types";
import type { LiveView } from "./view";

/** What the mapping quick fix writes (the `suggestion` of the problem, as JSON): a rename of near names, then a select of the table's columns. */
export interface DriftMapping {
  rename: Record<string, string>;
  select: string[];
}

function incoming(set: Exclude<ColumnSet, "unknown">): IncomingColumn[] {
  // Text is what an untyped source (a CSV) gives: PostgreSQL parses it into any column type.
  return set.map((c) => ({ name: c.name, type: c.type ?? "string", declared: c.type !== undefined && c.type !== "string" }));
}

function target(table: TableInfo): TargetColumn[] {
  return table.columns.map((c) => ({ name: c.name, sqlType: c.sqlType ?? SQL_TYPES[c.type], required: c.nullable === false && c.filled !== true, filled: c.filled === true }));
}

/** New columns renamed to the missing column they most likely are, then only the table's columns kept. */
function mapping(drift: Drift, records: readonly IncomingColumn[], table: TableInfo): DriftMapping | undefined {
  const missing = new Set(drift.missing.map((c) => c.name));
  const rename: Record<string, string> = {};
  for (const c of drift.added) {
    const near = closest(c.name, missing);
    if (near === undefined) continue;
    rename[c.name] = near;
    missing.delete(near);
  }
  const columns = new Set(table.columns.map((c) => c.name));
  const select = records.map((c) => rename[c.name] ?? c.name).filter((c) => columns.has(c));
  if (drift.added.length === 0 || select.length === 0) return undefined;
  return { rename, select };
}

function driftProblem(outline: PipelineOutline, step: StepOutline, set: Exclude<ColumnSet, "unknown">, table: TableInfo): Problem | undefined {
  const load = asMap(outline.doc, step.kinds[0]?.node);
  const policy = stringValue(outline.doc, pairOf(outline.doc, load, "on_schema_change")?.value) ?? "fail";
  if (policy !== "fail") return undefined;
  const records = incoming(set);
  const drift = compareColumns(records, target(table));
  if (!hasDrift(drift)) return undefined;
  const name = `${table.schema}.${table.name}`;
  const map = mapping(drift, records, table);
  const message =
    `the records this step loads do not match table ${name}, so the run fails here (on_schema_change: fail): ${describeDrift(drift).join("; ")}. ` +
    `Set \`on_schema_change: evolve\` to change the table inside the load${map ? ", or map the columns with a transform" : ""}`;
  const tableNode = pairOf(outline.doc, load, "table")?.value as Node | undefined;
  return problem("schema-drift", "warning", message, spanOf(tableNode, step.kinds[0]?.keySpan), { suggestion: JSON.stringify(map ?? {}) });
}

/** One `schema-drift` warning per postgres load whose table is known and differs from its records. */
export function schemaDriftProblems(outline: PipelineOutline, view: LiveView): Problem[] {
  const out: Problem[] = [];
  for (const step of outline.steps) {
    const id = step.id?.name;
    const table = id !== undefined ? view.targets.get(id) : undefined;
    const input = id !== undefined ? view.propagation.steps.get(id)?.input : undefined;
    if (!table || input === undefined || input === "unknown") continue;
    const p = driftProblem(outline, step, input, table);
    if (p) out.push(p);
  }
  return out;
}
