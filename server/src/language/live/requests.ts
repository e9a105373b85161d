/**
 * Which analysis request tells the columns of an extract, and how a cached answer becomes a column
 * set. A key, path or HTTP request with a template (`{{ ds }}`) cannot be analysed before a run: its
 * columns stay unknown.
 */
import type { YAMLMap } from "yaml";
import type { Column, ColumnSet } from "../../pipeline/columns";
import { plainValue, type AnyDoc } from "../../pipeline/nodes";
import type { StepOutline } from "../../pipeline/outline";
import type { AnalysisRequest, AnalysisResult, TableInfo } from "../../sources/analysis/types";
import { parseTableName } from "../../sources/postgres/names";

function plain(doc: AnyDoc, step: StepOutline): Record<string, unknown> | undefined {
  const node = step.kinds[0]?.node as YAMLMap | undefined;
  const value = plainValue(doc, node);
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const hasTemplate = (v: unknown) => JSON.stringify(v ?? null).includes("{{");
const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
const FORMATS = new Set(["csv", "jsonl", "json"]);

function dataRequest(key: string, extract: Record<string, unknown>): AnalysisRequest {
  const format = typeof extract["format"] === "string" && FORMATS.has(extract["format"]) ? (extract["format"] as "csv" | "jsonl" | "json") : undefined;
  const csv = extract["csv"] && typeof extract["csv"] === "object" ? (extract["csv"] as { delimiter?: string; header?: boolean }) : undefined;
  return { kind: "data-columns", key, ...(format ? { format } : {}), ...(csv ? { csv } : {}) };
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
  switch (connectionType) {
    case "postgres": {
      if (str(extract["table"])) return { kind: "postgres-catalog" };
      const query = str(extract["query"]);
      // Analysis renders a query's templates as placeholder literals to describe it.
      return query ? { kind: "query-columns", query } : undefined;
    }
    case "s3":
    case "file": {
      const key = str(extract[connectionType === "s3" ? "key" : "path"]);
      return key && !hasTemplate(key) ? dataRequest(key, extract) : undefined;
    }
    case "http": {
      const path = typeof extract["path"] === "string" ? extract["path"] : "";
      if (hasTemplate([path, extract["query"], extract["body"]])) return undefined;
      const method = extract["method"] === "POST" ? "POST" : "GET";
      const query = extract["query"] && typeof extract["query"] === "object" ? (extract["query"] as Record<string, unknown>) : undefined;
      const records = str(extract["records"]);
      return { kind: "http-sample", path, method, ...(query ? { query } : {}), ...(extract["body"] !== undefined ? { body: extract["body"] } : {}), ...(records ? { records } : {}) };
    }
    default:
      return undefined;
  }
}

/** The table a postgres load names (no template), whose columns `schema-drift` compares; undefined for other steps. */
export function targetTable(doc: AnyDoc, step: StepOutline, connectionType: string | undefined): string | undefined {
  if (connectionType !== "postgres" || step.kinds.length !== 1 || step.kinds[0]?.kind !== "load") return undefined;
  const table = str(plain(doc, step)?.["table"]);
  return table && !hasTemplate(table) ? table : undefined;
}

/** The table a postgres extract or load names, in a catalog (the default schema for an unqualified name). */
export function findTable(tables: readonly TableInfo[], defaultSchema: string, text: unknown): TableInfo | undefined {
  if (typeof text !== "string") return undefined;
  let name;
  try {
    name = parseTableName(text);
  } catch {
    return undefined;
  }
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
  const table = result.kind === "postgres-catalog" ? plain(doc, step)?.["table"] : "";
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
    case "postgres-catalog": {
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
