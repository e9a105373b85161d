/**
 * HTTP extracts: fetch page after page (lazily, as records are consumed) in one of the four
 * pagination styles and stream the records found at `records`.
 */
import type { Extract } from "../../pipeline/model";
import { ConnectorError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import type { DataRecord } from "../types";
import { describeRequest, fetchJson, type FetchContext, type JsonResponse, type PreparedRequest } from "./fetchJson";
import { parseLinkHeader, valueAt } from "./paths";

type Paginate = NonNullable<Extract["paginate"]>;

function withQuery(request: PreparedRequest, params: Record<string, string | number>): PreparedRequest {
  const url = new URL(request.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return { ...request, url };
}

/** The records of one response, as objects (a bare value becomes `{value}`). */
export function recordsOf(response: JsonResponse, path: string | undefined, request: PreparedRequest, secrets: readonly string[]): DataRecord[] {
  if (response.body === null) return [];
  const found = valueAt(response.body, path);
  if (!Array.isArray(found)) {
    const keys = response.body !== null && typeof response.body === "object" && !Array.isArray(response.body) ? Object.keys(response.body).join(", ") : typeof response.body;
    const where = path ? `at \`records: ${path}\`` : "at the top of the response";
    const fix = path ? "check the `records` path" : "set `records` to the dotted path of the array, e.g. `data.items`";
    throw new ConnectorError("http-records", scrubSecrets(`${describeRequest(request)}: no array of records ${where} (the response has: ${keys}); ${fix}`, secrets));
  }
  return found.map((r) => (r !== null && typeof r === "object" && !Array.isArray(r) ? (r as DataRecord) : { value: r }));
}

interface Page {
  records: DataRecord[];
  response: JsonResponse;
}

export async function* pages(first: PreparedRequest, paginate: Paginate | undefined, recordsPath: string | undefined, ctx: FetchContext): AsyncGenerator<Page> {
  const get = async (request: PreparedRequest): Promise<Page> => {
    const response = await fetchJson(request, ctx);
    const records = recordsOf(response, recordsPath, request, ctx.secrets);
    // Without its query, which may hold a token or a cursor nobody needs in a log.
    ctx.logger.debug({ request: describeRequest(request), rows: records.length }, "HTTP page fetched");
    return { records, response };
  };
  if (paginate === undefined) {
    yield await get(first);
    return;
  }
  switch (paginate.type) {
    case "page": {
      const size = paginate.size_param && paginate.size ? { [paginate.size_param]: paginate.size } : {};
      let previous: string | undefined;
      for (let page = 1; ; page++) {
        const result = await get(withQuery(first, { [paginate.param ?? "page"]: page, ...size }));
        if (result.records.length === 0) return;
        const signature = JSON.stringify(result.records);
        if (signature === previous) throw repeated(first, `page ${page} holds the same records as page ${page - 1}; check \`paginate.param\``, ctx);
        previous = signature;
        yield result;
      }
    }
    case "offset": {
      const limit = paginate.limit ?? 100;
      for (let offset = 0; ; ) {
        const result = await get(withQuery(first, { [paginate.param ?? "offset"]: offset, [paginate.limit_param ?? "limit"]: limit }));
        if (result.records.length > 0) yield result;
        if (result.records.length < limit) return;
        offset += result.records.length;
      }
    }
    case "cursor": {
      const seen = new Set<string>();
      let request = first;
      for (;;) {
        const result = await get(request);
        yield result;
        const next = valueAt(result.response.body, paginate.next);
        if (next === undefined || next === null || next === "" || next === false) return;
        const cursor = typeof next === "object" ? JSON.stringify(next) : String(next);
        if (seen.has(cursor)) throw repeated(first, `the cursor ${JSON.stringify(cursor.slice(0, 40))} came back twice; check \`paginate.next\``, ctx);
        seen.add(cursor);
        request = withQuery(first, { [paginate.param]: cursor });
      }
    }
    case "link": {
      const seen = new Set<string>();
      let request = first;
      for (;;) {
        const result = await get(request);
        yield result;
        const next = parseLinkHeader(result.response.headers.get("link")).get("next");
        if (!next) return;
        const url = new URL(next, result.response.url);
        if (seen.has(url.href)) throw repeated(first, "the `Link: rel=\"next\"` header pointed at a page already read", ctx);
        seen.add(url.href);
        // Same host only: never send the connection's credentials to another origin.
        if (url.origin !== first.url.origin) throw new ConnectorError("http-link", scrubSecrets(`the next-page link leads to another origin (${url.origin}); refusing to send credentials there`, ctx.secrets));
        request = { ...first, url };
      }
    }
  }
}

function repeated(request: PreparedRequest, what: string, ctx: FetchContext): ConnectorError {
  return new ConnectorError("http-pagination", scrubSecrets(`${describeRequest(request)}: ${what}`, ctx.secrets));
}
