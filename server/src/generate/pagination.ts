/**
 * Pagination style from one sample response: a `Link: rel="next"` header → `link`; a next-cursor
 * field in the body → `cursor`; page-number fields (`page`, `total_pages` …) → `page`;
 * offset/limit fields → `offset`. Query parameters of the sampled URL count as hints too.
 */
import type { Extract } from "../pipeline/model";
import { parseLinkHeader } from "../sources/http/paths";

export type Paginate = NonNullable<Extract["paginate"]>;

export interface PaginationSample {
  body: unknown;
  /** Response header lookup (case-insensitive, like `Headers.get`). */
  header: (name: string) => string | null;
  /** The dotted path of the records (they are not searched for paging fields). */
  records: string | null;
  /** Query parameters of the sampled URL. */
  query?: URLSearchParams;
}

export interface PaginationGuess {
  paginate?: Paginate;
  /** Why: a sentence for the comment in the generated file. */
  reason: string;
  /** Query parameters the paginator sets itself (left out of the extract's `query`). */
  managedParams: string[];
}

const CURSOR_FIELD = /^(next_?cursor|cursor_?next|next_?page_?token|next_?token|next_?page_?cursor|end_?cursor|after_?cursor|next)$/i;
const PAGE_FIELD = /^(page|current_?page|page_?number|page_?num|page_?index)$/i;
const PAGE_TOTAL_FIELD = /^(total_?pages|page_?count|pages|last_?page|num_?pages)$/i;
const PAGE_SIZE_FIELD = /^(per_?page|page_?size|size|page_?limit)$/i;
const OFFSET_FIELD = /^(offset|skip|start)$/i;
const LIMIT_FIELD = /^(limit|count|take|max_?results|page_?size|per_?page)$/i;
/** Objects where APIs put paging fields. */
const NESTED = /^(meta|metadata|pagination|paging|page_?info|links|cursor|_meta|response_?metadata)$/i;

interface Field {
  path: string;
  key: string;
  value: unknown;
}

/** Top-level fields and those of paging objects (`meta.next_cursor`), never inside the records. */
function fieldsOf(body: unknown, records: string | null): Field[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [];
  const fields: Field[] = [];
  const recordsRoot = records?.split(".")[0];
  for (const [key, value] of Object.entries(body)) {
    if (key === records) continue;
    fields.push({ path: key, key, value });
    if (value !== null && typeof value === "object" && !Array.isArray(value) && (NESTED.test(key) || key === recordsRoot)) {
      for (const [inner, v] of Object.entries(value)) {
        if (`${key}.${inner}` === records) continue;
        fields.push({ path: `${key}.${inner}`, key: inner, value: v });
      }
    }
  }
  return fields;
}

const isUrlish = (v: unknown) => typeof v === "string" && /^(https?:\/\/|\/)/.test(v);
const isCount = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** The query parameter that carries a cursor named `next_cursor` in the body. */
function cursorParam(field: string, query: URLSearchParams | undefined): string {
  for (const name of ["cursor", "page_token", "after", "next", "token", "starting_after"]) if (query?.has(name)) return name;
  const bare = field.replace(/^next_?|_?next$/i, "").replace(/^end_?/i, "");
  if (/page_?token/i.test(bare)) return "page_token";
  if (/^token$/i.test(bare)) return "page_token";
  if (/^after/i.test(field) || /^end_?cursor$/i.test(field)) return "after";
  return "cursor";
}

function linkGuess(sample: PaginationSample): PaginationGuess | undefined {
  if (!parseLinkHeader(sample.header("link")).has("next")) return undefined;
  return { paginate: { type: "link" }, reason: 'the sample response has a `Link: <…>; rel="next"` header', managedParams: [] };
}

function cursorGuess(fields: Field[], sample: PaginationSample): PaginationGuess | undefined {
  const field = fields.find((f) => CURSOR_FIELD.test(f.key) && (typeof f.value === "string" || f.value === null || typeof f.value === "number") && !isUrlish(f.value));
  if (!field) return undefined;
  const param = cursorParam(field.key, sample.query);
  return {
    paginate: { type: "cursor", param, next: field.path },
    reason: `the response carries the next cursor at \`${field.path}\`; it is sent back as the \`${param}\` query parameter (check the API's documentation for the parameter's name)`,
    managedParams: [param],
  };
}

function pageGuess(fields: Field[], sample: PaginationSample): PaginationGuess | undefined {
  const page = fields.find((f) => PAGE_FIELD.test(f.key) && isCount(f.value));
  const total = fields.find((f) => PAGE_TOTAL_FIELD.test(f.key) && isCount(f.value));
  const fromQuery = ["page", "page_number", "pageNumber", "p"].find((p) => sample.query?.has(p));
  if (!page && !total && !fromQuery) return undefined;
  const param = page && !page.key.includes(".") && sample.query?.has(page.key) !== false ? page.key : (fromQuery ?? (page && /^page$/i.test(page.key) ? page.key : "page"));
  const size = fields.find((f) => PAGE_SIZE_FIELD.test(f.key) && isCount(f.value) && (f.value as number) > 0);
  const sizeParam = ["per_page", "page_size", "pageSize", "size", "limit"].find((p) => sample.query?.has(p)) ?? size?.key;
  const sizeValue = size ? (size.value as number) : sizeParam ? Number(sample.query?.get(sizeParam)) : undefined;
  const paginate: Paginate = { type: "page", param };
  if (sizeParam && sizeValue !== undefined && Number.isInteger(sizeValue) && sizeValue > 0) Object.assign(paginate, { size_param: sizeParam, size: sizeValue });
  const seen = [page?.path, total?.path, fromQuery && `?${fromQuery}=`].filter(Boolean).map((s) => `\`${s}\``);
  return { paginate, reason: `page numbers: the sample has ${seen.join(" and ")}; pages are read until one comes back empty`, managedParams: [param, ...(paginate.size_param ? [paginate.size_param] : [])] };
}

function offsetGuess(fields: Field[], sample: PaginationSample): PaginationGuess | undefined {
  const offset = fields.find((f) => OFFSET_FIELD.test(f.key) && isCount(f.value));
  const fromQuery = ["offset", "skip", "start"].find((p) => sample.query?.has(p));
  if (!offset && !fromQuery) return undefined;
  const param = fromQuery ?? (offset as Field).key;
  const limit = fields.find((f) => LIMIT_FIELD.test(f.key) && isCount(f.value) && (f.value as number) > 0);
  const limitParam = ["limit", "take", "count", "max_results"].find((p) => sample.query?.has(p)) ?? limit?.key ?? "limit";
  const limitValue = limit ? (limit.value as number) : Number(sample.query?.get(limitParam) ?? NaN);
  const paginate: Paginate = { type: "offset", param, limit_param: limitParam };
  if (Number.isInteger(limitValue) && limitValue > 0) paginate.limit = limitValue;
  const seen = [offset?.path, limit?.path, fromQuery && `?${fromQuery}=`].filter(Boolean).map((s) => `\`${s}\``);
  return {
    paginate,
    reason: `offsets: the sample has ${seen.join(" and ")}; requests go on until fewer than \`limit\` records come back${limit ? " (limit taken from the sample, the most the API returned per request)" : ""}`,
    managedParams: [param, limitParam],
  };
}

/** The pagination style a sample response suggests; no `paginate` when nothing points at one. */
export function detectPagination(sample: PaginationSample): PaginationGuess {
  const fields = fieldsOf(sample.body, sample.records);
  return (
    linkGuess(sample) ??
    cursorGuess(fields, sample) ??
    pageGuess(fields, sample) ??
    offsetGuess(fields, sample) ?? { reason: "no pagination found in the sample response (no Link header, cursor, page or offset fields): one request reads everything", managedParams: [] }
  );
}

/** The dotted path of the records in a response: the body itself, or the biggest array of objects near the top. */
export function detectRecords(body: unknown): string | null | undefined {
  if (Array.isArray(body)) return null;
  if (body === null || typeof body !== "object") return undefined;
  const preferred = /^(data|items|results|records|rows|entries|objects|values|list|hits)$/i;
  let best: { path: string; score: number } | undefined;
  const visit = (value: object, prefix: string, depth: number) => {
    for (const [key, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (Array.isArray(v)) {
        const objects = v.length === 0 || v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x));
        const score = (objects ? 100 : 0) + (preferred.test(key) ? 50 : 0) + Math.min(v.length, 40) - depth * 5;
        if (!best || score > best.score) best = { path, score };
      } else if (v !== null && typeof v === "object" && depth < 3) visit(v, path, depth + 1);
    }
  };
  visit(body, "", 0);
  return best?.path;
}
