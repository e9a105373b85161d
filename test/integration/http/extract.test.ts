/** The HTTP connector against real loopback APIs: pagination, auth, templates, faults, rate limits. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import pino from "pino";
import type { Connection, Extract } from "../../../server/src/pipeline/model";
import { ConnectorError } from "../../../server/src/errors";
import { createHttpConnector, parseLinkHeader } from "../../../server/src/sources/http";
import type { DataRecord, ExtractRequest } from "../../../server/src/sources/types";
import { startApi, type TestApi } from "../../support/httpServer";

const RECORDS = Array.from({ length: 95 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, price: (i * 3) % 17 }));
let api: TestApi;
// Short backoff so fault tests stay quick; Retry-After is still honoured as sent.
const connector = createHttpConnector({ baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 4 });

before(async () => {
  api = await startApi(RECORDS);
});
after(async () => api?.close());
beforeEach(() => api.clear());

function request(extract: Omit<Extract, "connection">, connection: Partial<Connection> = {}, signal = new AbortController().signal): ExtractRequest {
  return {
    connection: { type: "http", base_url: api.url, ...connection } as Connection,
    connectionName: `api-${Math.random()}`,
    baseDir: ".",
    templates: { ds: "2024-03-01", ds_nodash: "20240301", ts: "2024-03-01T00:00:00+00:00", ts_nodash: "20240301T000000", run_id: "r1", params: { region: "eu west" } },
    signal,
    logger: pino({ level: "silent" }),
    secrets: [],
    extract: { connection: "api", ...extract } as Extract,
  };
}

async function fetchAll(extract: Omit<Extract, "connection">, connection: Partial<Connection> = {}): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of (await connector.extract(request(extract, connection))).records) out.push(r);
  return out;
}

function assertEveryRecordOnce(records: DataRecord[]): void {
  assert.deepEqual(records.map((r) => r.id), RECORDS.map((r) => r.id));
  assert.deepEqual(records, RECORDS);
}

describe("http extract pagination", () => {
  it("page: ?page=N until an empty page, records at a nested path", async () => {
    assertEveryRecordOnce(await fetchAll({ path: "/page", records: "data.items", paginate: { type: "page", param: "page", size_param: "per_page", size: 20 } }));
    assert.deepEqual(api.requests.map((r) => r.query.page), ["1", "2", "3", "4", "5", "6"]);
    assert.ok(api.requests.every((r) => r.query.per_page === "20"));
  });

  it("offset: ?offset&limit until a short page", async () => {
    assertEveryRecordOnce(await fetchAll({ path: "offset", records: "results", paginate: { type: "offset", limit: 30 } }));
    assert.deepEqual(api.requests.map((r) => r.query.offset), ["0", "30", "60", "90"]);
  });

  it("cursor: follows meta.next_cursor until it is null", async () => {
    assertEveryRecordOnce(await fetchAll({ path: "/cursor", records: "items", paginate: { type: "cursor", param: "cursor", next: "meta.next_cursor" } }));
    assert.equal(api.requests.length, 10);
  });

  it("link: follows Link rel=next (RFC 8288) on a top-level array", async () => {
    assertEveryRecordOnce(await fetchAll({ path: "/link", paginate: { type: "link" } }));
    assert.equal(api.requests.length, 10);
  });

  it("reads pages lazily: a consumer that stops early stops the requests", async () => {
    const result = await connector.extract(request({ path: "/page", records: "data.items", paginate: { type: "page", size_param: "per_page", size: 10 } }));
    for await (const r of result.records) if (r.id === 12) break;
    assert.equal(api.requests.length, 2);
  });

  it("a response without the array says which keys it has", async () => {
    const err = await fetchAll({ path: "/cursor", records: "data" }).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.match(err.message, /no array of records at `records: data` \(the response has: items, meta\)/);
  });
});

describe("http extract requests", () => {
  it("sends templated query and body, headers, and bearer auth", async () => {
    const [echo] = await fetchAll(
      { path: "/echo", method: "POST", query: { day: "{{ ds }}", region: "{{ params.region }}" }, body: { run: "{{ run_id }}", nested: ["{{ ds_nodash }}", 3] } },
      { headers: { "X-Team": "data" }, auth: { type: "bearer", token: "tok-123" } },
    );
    assert.equal(echo?.method, "POST");
    assert.deepEqual(echo?.query, { day: "2024-03-01", region: "eu west" });
    assert.deepEqual(echo?.body, { run: "r1", nested: ["20240301", 3] });
    assert.equal(echo?.authorization, "Bearer tok-123");
    assert.equal((echo?.headers as Record<string, string>)["x-team"], "data");
  });

  it("sends basic auth", async () => {
    const [echo] = await fetchAll({ path: "/echo" }, { auth: { type: "basic", username: "ana", password: "p:w" } });
    assert.equal(echo?.authorization, `Basic ${Buffer.from("ana:p:w").toString("base64")}`);
  });

  it("a 401 is permanent, not retried, and never shows the token", async () => {
    const token = `tok-${randomBytes(8).toString("hex")}`;
    api.fail({ status: 401, body: JSON.stringify({ error: "bad token", echo: token }) });
    const err = await fetchAll({ path: "/echo" }, { auth: { type: "bearer", token } }).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.equal(err.code, "http-401");
    assert.match(err.message, /check the connection's `auth`/);
    assert.ok(!err.message.includes(token));
    assert.equal(api.requests.length, 1);
  });

  it("a 404 is permanent and not retried", async () => {
    const err = await fetchAll({ path: "/nowhere" }).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.equal(api.requests.length, 1);
  });
});

describe("http extract faults", () => {
  it("429 with Retry-After: waits as told, then every record exactly once", async () => {
    api.failOn("/cursor", { status: 429, retryAfter: "1" });
    const records = await fetchAll({ path: "/cursor", records: "items", paginate: { type: "cursor", param: "cursor", next: "meta.next_cursor" } });
    assertEveryRecordOnce(records);
    const [limited, retried] = api.requests;
    assert.ok(limited && retried);
    assert.ok(retried.at - limited.at >= 950, `waited ${retried.at - limited.at} ms`);
  });

  it("Retry-After is bounded", async () => {
    const bounded = createHttpConnector({ maxRetryAfterMs: 200, baseDelayMs: 20 });
    api.fail({ status: 503, retryAfter: "3600" });
    const out: DataRecord[] = [];
    for await (const r of (await bounded.extract(request({ path: "/link", paginate: { type: "link" } }))).records) out.push(r);
    assertEveryRecordOnce(out);
    const [first, second] = api.requests;
    assert.ok(first && second && second.at - first.at < 2000);
  });

  it("500s, a dropped connection and a slow answer mid-pagination are retried without duplicates", async () => {
    api.fail({ delayMs: 0 }, { delayMs: 0 }, { status: 500 }, { drop: true }, { delayMs: 0 }, { delayMs: 2000 }, { status: 502 });
    const records = await fetchAll({ path: "/page", records: "data.items", paginate: { type: "page", size_param: "per_page", size: 10 } }, { timeout: "500ms" });
    assertEveryRecordOnce(records);
    assert.equal(api.requests.length, 11 + 4);
  });

  it("when retries run out the error is transient", async () => {
    api.always({ status: 500 });
    const err = await fetchAll({ path: "/page" }).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, true);
    assert.equal(err.code, "http-retries-exhausted");
    assert.match(err.message, /failed 4 times, last: HTTP 500/);
    assert.equal(api.requests.length, 4);
  });

  it("a timeout that never ends is transient too", async () => {
    api.always({ delayMs: 5000 });
    const err = await fetchAll({ path: "/page" }, { timeout: "100ms" }).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, true);
    assert.match(err.message, /no complete answer within 100 ms/);
  });

  it("an aborted step stops at once", async () => {
    api.always({ delayMs: 5000 });
    const controller = new AbortController();
    const result = await connector.extract(request({ path: "/page" }, {}, controller.signal));
    const started = Date.now();
    const pending = (async () => {
      for await (const _ of result.records) void _;
    })().catch((e: unknown) => e);
    setImmediate(() => controller.abort());
    const err = await pending;
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.code, "aborted");
    assert.ok(Date.now() - started < 2000);
  });

  it("rate_limit spaces requests (5 per second)", async () => {
    await fetchAll({ path: "/offset", records: "results", paginate: { type: "offset", limit: 10 } }, { rate_limit: 5 });
    const times = api.requests.map((r) => r.at);
    assert.equal(times.length, 10);
    for (let i = 1; i < times.length; i++) assert.ok((times[i] as number) - (times[i - 1] as number) >= 100, `gap ${i}: ${(times[i] as number) - (times[i - 1] as number)} ms`);
    assert.ok((times.at(-1) as number) - (times[0] as number) >= 9 * 200 * 0.9);
  });

  it("cannot load", async () => {
    await assert.rejects(connector.load({} as never), (e: unknown) => e instanceof ConnectorError && e.code === "unsupported-load");
  });
});

describe("Link header parsing", () => {
  it("finds rel=next among several links, with quoted parameters holding commas and several relations", () => {
    const links = parseLinkHeader('<https://a.test/x?page=1>; rel="prev"; title="a, b; c", <https://a.test/x?page=3>; rel="next last", </rel>; REL=First');
    assert.equal(links.get("next"), "https://a.test/x?page=3");
    assert.equal(links.get("last"), "https://a.test/x?page=3");
    assert.equal(links.get("prev"), "https://a.test/x?page=1");
    assert.equal(links.get("first"), "/rel");
    assert.equal(parseLinkHeader(null).size, 0);
  });
});
