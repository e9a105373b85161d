/** An API endpoint as steps: one extract with detected `records` and `paginate`, casts for text-typed fields, a load. */
import type { ColumnType } from "../pipeline/model";
import { valueAt } from "../sources/http/paths";
import { columnsOf } from "../sources/s3/infer";
import type { Endpoint, HttpResponseSample, Location } from "../sources/generation";
import { toIdentifier } from "./names";
import { detectPagination, detectRecords, type PaginationGuess } from "./pagination";
import type { PlanStep, SourceItem } from "./plan";
import { SOURCE } from "./catalogPlan";
import { loadBody, mergesRows } from "./target";

export interface EndpointAnalysis {
  records: string | null;
  fields: { name: string; type: ColumnType }[];
  sampled: number;
  pagination: PaginationGuess;
  label: string;
  /** A field every sampled record has, scalar and unique (`id`): what a PostgreSQL load can merge on. */
  key?: string;
}

function keyField(rows: readonly Record<string, unknown>[]): string | undefined {
  if (rows.length === 0) return undefined;
  const name = ["id", "uuid", "key"].find((n) => rows.every((r) => typeof r[n] === "number" || (typeof r[n] === "string" && r[n] !== "")));
  return name !== undefined && new Set(rows.map((r) => r[name])).size === rows.length ? name : undefined;
}

export function analyzeEndpoint(source: Location & { endpoint: Endpoint }, sample: HttpResponseSample): EndpointAnalysis {
  const found = detectRecords(sample.body);
  const records = found === undefined ? null : found;
  const list = valueAt(sample.body, records ?? undefined);
  const rows = Array.isArray(list) ? list.filter((r): r is Record<string, unknown> => r !== null && typeof r === "object" && !Array.isArray(r)) : [];
  const pagination = detectPagination({ body: sample.body, header: (n) => sample.headers.get(n), records, query: source.endpoint.liveQuery });
  const segments = source.endpoint.path.split("/").filter((s) => s !== "" && !/^v\d+$/i.test(s));
  const key = keyField(rows);
  return { records, fields: columnsOf(rows), sampled: rows.length, pagination, label: segments[segments.length - 1] ?? source.label, ...(key ? { key } : {}) };
}

export function endpointItems(analysis: EndpointAnalysis): SourceItem[] {
  return [{ name: analysis.label, kind: "endpoint", detail: `records at ${analysis.records ?? "(the response)"}, ${analysis.fields.length} fields, ${analysis.pagination.paginate ? `${analysis.pagination.paginate.type} pagination` : "no pagination"}` }];
}

export function endpointSteps(source: Location & { endpoint: Endpoint }, analysis: EndpointAnalysis, target: Location): PlanStep[] {
  const base = toIdentifier(analysis.label, 55, "records");
  const body: Record<string, unknown> = { connection: SOURCE, path: source.endpoint.path || "/" };
  const query = Object.fromEntries([...source.endpoint.query].filter(([k]) => !analysis.pagination.managedParams.includes(k)));
  if (Object.keys(query).length > 0) body.query = query;
  if (analysis.records !== null) body.records = analysis.records;
  if (analysis.pagination.paginate) body.paginate = analysis.pagination.paginate;
  const keyComments: Record<string, string[]> = {};
  if (analysis.records !== null) keyComments.records = [`the records are the array at \`${analysis.records}\` of the sample response`];
  keyComments[analysis.pagination.paginate ? "paginate" : "path"] = [analysis.pagination.reason];
  const steps: PlanStep[] = [{ id: `extract_${base}`, description: `Reads ${source.endpoint.path || "/"}`, kind: "extract", body, keyComments }];
  let upstream = `extract_${base}`;
  const cast = Object.fromEntries(analysis.fields.filter((f) => f.type === "date" || f.type === "timestamp").map((f) => [f.name, f.type]));
  if (Object.keys(cast).length > 0) {
    upstream = `cast_${base}`;
    steps.push({ id: upstream, kind: "transform", depends_on: [`extract_${base}`], body: [{ cast }], comment: [`JSON carries dates and timestamps as text; types inferred from ${analysis.sampled} sample records`] });
  }
  const load = loadBody(target, { name: base, key: analysis.key ? [analysis.key] : [], noKeyReason: "no field of the sample records looks like a key (id, uuid, key)" });
  if (analysis.key && mergesRows(target)) load.keyComments = { mode: [`merge on ${analysis.key}: every sampled record has one, and no two are equal; a rerun updates rows instead of adding them again`] };
  steps.push({ id: `load_${base}`, kind: "load", depends_on: [upstream], ...load });
  return steps;
}
