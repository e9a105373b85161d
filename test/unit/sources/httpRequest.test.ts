/** Building the first HTTP request of an extract (server/src/sources/http/request.ts) and request pacing. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pino from "pino";
import { ConnectorError } from "../../../server/src/errors";
import type { Connection, Extract } from "../../../server/src/pipeline/model";
import { delay, RateLimiter } from "../../../server/src/sources/http/rateLimiter";
import { firstRequest, httpSecrets, joinUrl, type HttpConnection } from "../../../server/src/sources/http/request";
import type { ExtractRequest } from "../../../server/src/sources/types";

function extractRequest(extract: Omit<Extract, "connection">, connection: Partial<HttpConnection>): ExtractRequest {
  return {
    connection: { type: "http", base_url: "https://api.example.com/v1/", ...connection } as Connection,
    connectionName: "api",
    baseDir: ".",
    templates: { ds: "2024-03-01", ds_nodash: "20240301", ts: "2024-03-01T00:00:00+00:00", ts_nodash: "20240301T000000", run_id: "r1", params: { region: "eu west" } },
    signal: new AbortController().signal,
    logger: pino({ level: "silent" }),
    secrets: [],
    extract: { connection: "api", ...extract } as Extract,
  };
}

describe("HTTP extract: the first request", () => {
  it("joins base URL and path with one slash and keeps query parameters written in either", () => {
    assert.equal(joinUrl("https://api.example.com/v1/", "/orders?status=open").toString(), "https://api.example.com/v1/orders?status=open");
    assert.equal(joinUrl("https://api.example.com/v1?key=k", "items").toString(), "https://api.example.com/v1/items?key=k");
    assert.equal(joinUrl("https://api.example.com", undefined).toString(), "https://api.example.com/");
  });

  it("a base_url that is not a URL is a ConnectorError that hides any credentials in it", () => {
    assert.throws(() => joinUrl("//user:hunter22@no-scheme", "x"), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, "http-base-url");
      assert.doesNotMatch(err.message, /hunter22/);
      assert.match(err.message, /write it like https:/);
      return true;
    });
  });

  it("renders templates in path, query and body; sets auth, JSON headers and the method", () => {
    const r = firstRequest(extractRequest(
      { path: "orders/{{ ds_nodash }}", method: "POST", query: { region: "{{ params.region }}", since: "{{ ds }}", skip: null, filter: { a: 1 } }, body: { run: "{{ run_id }}", n: [1, "{{ ds }}"] } },
      { auth: { type: "basic", username: "u", password: "p@ss" }, headers: { "x-api-key": "k123" } },
    ));
    assert.equal(r.url.pathname, "/v1/orders/20240301");
    assert.deepEqual(Object.fromEntries(r.url.searchParams), { region: "eu west", since: "2024-03-01", filter: '{"a":1}' });
    assert.equal(r.method, "POST");
    assert.equal(r.body, JSON.stringify({ run: "r1", n: [1, "2024-03-01"] }));
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(r.headers.authorization, `Basic ${Buffer.from("u:p@ss").toString("base64")}`);
    assert.equal(r.headers["x-api-key"], "k123");
  });

  it("an unknown template variable and a query written as a string are ConnectorErrors", () => {
    assert.throws(() => firstRequest(extractRequest({ path: "x/{{ nope }}" }, {})), { name: "ConnectorError", code: "template", message: /unknown template variable `nope`/ });
    assert.throws(() => firstRequest(extractRequest({ query: "a=1" } as unknown as Extract, {})), { code: "http-query" });
  });

  it("collects the connection's secrets: bearer token, basic password (and user:password, sent in base64) and secret-looking headers", () => {
    const bearer = { type: "http", base_url: "https://x", auth: { type: "bearer", token: "tok" }, headers: { "X-Auth-Token": "h1", accept: "json" } } as HttpConnection;
    assert.deepEqual(httpSecrets(bearer, ["given"]), ["given", "tok", "h1"]);
    const basic = { type: "http", base_url: "https://x", auth: { type: "basic", username: "u", password: "pw" } } as HttpConnection;
    assert.deepEqual(httpSecrets(basic, []), ["pw", "u:pw"]);
  });
});

describe("HTTP request pacing", () => {
  it("spaces requests by 1/perSecond and passes at once without a limit", async () => {
    const limiter = new RateLimiter(20);
    const signal = new AbortController().signal;
    const started = performance.now();
    for (let i = 0; i < 4; i++) await limiter.take(signal);
    assert.ok(performance.now() - started >= 3 * 50 - 5, "three gaps of 50 ms");
    await new RateLimiter(undefined).take(signal);
  });

  it("a wait ends with the abort reason when the signal aborts, before or during it", async () => {
    const before = new AbortController();
    before.abort(new Error("stopped early"));
    await assert.rejects(delay(10, before.signal), /stopped early/);
    const during = new AbortController();
    const waiting = delay(60_000, during.signal);
    during.abort(new Error("stopped while waiting"));
    await assert.rejects(waiting, /stopped while waiting/);
  });
});
