import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectPagination, detectRecords } from "../../../server/src/generate/pagination";

const headers = (h: Record<string, string> = {}) => (name: string) => h[name.toLowerCase()] ?? null;
const items = [{ id: 1 }, { id: 2 }];

describe("pagination detection", () => {
  it("follows a Link rel=next header", () => {
    const guess = detectPagination({ body: items, header: headers({ link: '</x?start=2>; rel="next", </x?start=0>; rel="first"' }), records: null });
    assert.deepEqual(guess.paginate, { type: "link" });
  });

  it("finds a next cursor in a nested paging object", () => {
    const body = { items, meta: { next_cursor: "abc" } };
    const guess = detectPagination({ body, header: headers(), records: detectRecords(body) ?? null });
    assert.deepEqual(guess.paginate, { type: "cursor", param: "cursor", next: "meta.next_cursor" });
    assert.deepEqual(guess.managedParams, ["cursor"]);
  });

  it("names the cursor parameter after the field or the sampled URL", () => {
    const token = detectPagination({ body: { data: items, next_page_token: "t" }, header: headers(), records: "data" });
    assert.deepEqual(token.paginate, { type: "cursor", param: "page_token", next: "next_page_token" });
    const after = detectPagination({ body: { data: items, paging: { next: "n1" } }, header: headers(), records: "data", query: new URLSearchParams("after=") });
    assert.deepEqual(after.paginate, { type: "cursor", param: "after", next: "paging.next" });
  });

  it("does not take a next URL in the body for a cursor", () => {
    const guess = detectPagination({ body: { data: items, next: "https://api/x?page=2" }, header: headers(), records: "data" });
    assert.equal(guess.paginate, undefined);
  });

  it("detects page numbers with their size", () => {
    const guess = detectPagination({ body: { data: items, page: 1, per_page: 25, total_pages: 4 }, header: headers(), records: "data" });
    assert.deepEqual(guess.paginate, { type: "page", param: "page", size_param: "per_page", size: 25 });
    const fromUrl = detectPagination({ body: { results: items }, header: headers(), records: "results", query: new URLSearchParams("page=1&page_size=50") });
    assert.deepEqual(fromUrl.paginate, { type: "page", param: "page", size_param: "page_size", size: 50 });
  });

  it("detects offsets, keeping the API's limit", () => {
    const guess = detectPagination({ body: { results: items, offset: 0, limit: 20, total: 95 }, header: headers(), records: "results" });
    assert.deepEqual(guess.paginate, { type: "offset", param: "offset", limit_param: "limit", limit: 20 });
    assert.deepEqual(guess.managedParams, ["offset", "limit"]);
  });

  it("reports no pagination when nothing points at one", () => {
    const guess = detectPagination({ body: { data: items, count: 2 }, header: headers(), records: "data" });
    assert.equal(guess.paginate, undefined);
    assert.match(guess.reason, /no pagination/);
  });

  it("finds the records array", () => {
    assert.equal(detectRecords(items), null);
    assert.equal(detectRecords({ data: { items }, meta: { tags: ["a", "b", "c"] } }), "data.items");
    assert.equal(detectRecords({ results: [], errors: [] }), "results");
    assert.equal(detectRecords("text"), undefined);
  });
});
