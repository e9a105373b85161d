/**
 * Which analysis request tells the columns of an extract, and how a cached answer becomes a column
 * set. A key, path or HTTP request with a template (`{{ ds }}`) cannot be analysed before a run: its
 * columns stay unknown.
 */
import type { YAMLMap } from "yaml";
import type { Column, ColumnSet } from "../../pipeline/columns";
import { plainValue, type AnyDoc } from "../../pipeline/nodes";
import { splitTableName } from "../../pipeline/tableName";
import type { StepOutline } from "../../pipeline/outline";
import type { AnalysisRequest, AnalysisResult, TableInfo } from "../../sources/analysis/types";
import { descriptorFor } from "../../sources/registry";

function plain(doc: AnyDoc, step: StepOutline): Record<string, unknown> | undefined {
  const node = step.kinds[0]?.node as YAMLMap | undefined;
  const value = plainValue(doc, node);
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const REQUESTS = new WeakMap<object, { type: string | undefined; request: AnalysisRequest | undefined }>();

/**
 * The request whose answer holds an extract's columns, or undefined when none can tell them now.
 * Kept per step node: the piecewise parse keeps an unchanged step's node.
 */
export function extractRequest(doc: AnyDoc, step: StepOutline, connectionType: string | undefined): AnalysisRequest | undefined {
  if (step.kinds.length !== 1 || step.kinds[0]?.kind !== "extract") return undefined;
  const known = REQUESTS.get(step.node);
  if (known && known.type === connectionType) return known.request;
  const request = computeRequest(doc, step, connectionType);
  REQUESTS.set(step.node, { type: connectionType, request });
  return request;
}

function computeRequest(doc: AnyDoc, step: StepOutline, connectionType: string | undefined): AnalysisRequest | undefined {
  const extract = plain(doc, step);
  if (!extract) return undefined;
  return descriptorFor(connectionType)?.analysis.liveRequest(extract);
}

/** The table a load into a catalogued database names (no template), whose columns `schema-drift` compares; undefined for other steps. */
export function targetTable(doc: AnyDoc, step: StepOutline, connectionType: string | undefined): string | undefined {
  const tableKey = descriptorFor(connectionType)?.tableKey;
  if (!tableKey || step.kinds.length !== 1 || step.kinds[0]?.kind !== "load") return undefined;
  const table = plain(doc, step)?.[tableKey];
  return typeof table === "string" && table.trim() !== "" && !table.includes("{{") ? table : undefined;
}

/** The table a postgres extract or load names, in a catalog (the default schema for an unqualified name). */
/** The table an extract or load names, in a catalog (the default schema for an unqualified name). */
export function findTable(tables: readonly TableInfo[], defaultSchema: string, text: unknown): TableInfo | undefined {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const name = splitTableName(text);
  if (!name) return undefined;
  const schema = name.schema ?? defaultSchema;
  return tables.find((t) => t.schema === schema && t.name === name.name);
}

const toColumns = (cols: readonly { name: string; type: Column["type"] }[]): Column[] => cols.map((c) => ({ name: c.name, ...(c.type ? { type: c.type } : {}) }));

const COLUMNS = new WeakMap<AnalysisResult, Map<string, ColumnSet>>();

/**
 * The columns an answer gives for an extract: a table of the catalog, a query's, a file's or an
 * API's fields. The same answer gives the same set object, so propagation can reuse unchanged steps.
 */
export function columnsOf(doc: AnyDoc, step: StepOutline, result: AnalysisResult): ColumnSet {
  const table = result.kind === "catalog" ? plain(doc, step)?.["table"] : "";
  const key = typeof table === "string" ? table : "";
  let byTable = COLUMNS.get(result);
  if (!byTable) {
    byTable = new Map();
    COLUMNS.set(result, byTable);
  }
  let set = byTable.get(key);
  if (!set) {
    set = computeColumns(result, key);
    byTable.set(key, set);
  }
  return set;
}

function computeColumns(result: AnalysisResult, tableText: string): ColumnSet {
  switch (result.kind) {
    case "catalog": {
      const table = findTable(result.tables, result.defaultSchema, tableText);
      return table ? toColumns(table.columns) : "unknown";
    }
    case "query-columns":
    case "data-columns":
    case "http-sample":
      return toColumns(result.columns);
    default:
      return "unknown";
  }
}

/** A stable text key of a request (for grouping steps that ask the same thing). */
export function requestKey(request: AnalysisRequest): string {
  return JSON.stringify(request);
}
