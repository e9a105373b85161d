/**
 * Redirects and credentials, with two loopback APIs on different ports (two origins): a hop to
 * another origin carries no Authorization, Cookie or secret header, in runs (the connector) and in
 * live analysis; a hop within the origin keeps them; loops and odd targets fail clearly.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import pino from "pino";
import type { ConnectorError } from "../../../server/src/errors";
import type { Connection, Extract } from "../../../server/src/pipeline/model";
import { analyzeSource } from "../../../server/src/sources/analysis";
import { createHttpConnector } from "../../../server/src/sources/http";
import type { DataRecord } from "../../../server/src/sources/types";
import { startApi, type TestApi } from "../../support/httpServer";

let a: TestApi;
let b: TestApi;
const connector = createHttpConnector({ baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 });
const token = `tok-${randomBytes(8).toString("hex")}`;
const apiKey = `key-${randomBytes(8).toString("hex")}`;
const cookie = `c-${randomBytes(8).toString("hex")}`;

before(async () => {
  [a, b] = await Promise.all([startApi([{ id: 1 }]), startApi([{ id: 2 }])]);
});
after(async () => Promise.all([a?.close(), b?.close()]));
beforeEach(() => {
  a.clear();
  b.clear();
});

/** A connection to `a` that sends a bearer token, a key header, a cookie and a harmless header. */
function connection(): Connection {
  return { type: "http", base_url: a.url, auth: { type: "bearer", token }, headers: { "X-Api-Key": apiKey, Cookie: `session=${cookie}`, "X-Trace": "t1" } } as Connection;
}

async function extract(path: string, extra: Partial<Extract> = {}): Promise<DataRecord[]> {
  const result = await connector.extract({
    connection: connection(),
    connectionName: `a-${Math.random()}`,
    baseDir: ".",
    templates: { ds: "2024-03-01", ds_nodash: "20240301", ts: "2024-03-01T00:00:00+00:00", ts_nodash: "20240301T000000", run_id: "r1", params: {} },
    signal: new AbortController().signal,
    logger: pino({ level: "silent" }),
    secrets: [token, apiKey, cookie],
    extract: { connection: "a", path, ...extra } as Extract,
  });
  const out: DataRecord[] = [];
  for await (const r of result.records) out.push(r);
  return out;
}

const redirect = (to: string, status = 302) => `/redirect?to=${encodeURIComponent(to)}&status=${status}`;

function assertNoCredentials(api: TestApi): void {
  assert.ok(api.requests.length > 0, "the redirect was followed");
  for (const r of api.requests) {
    assert.equal(r.headers.authorization, undefined);
    assert.equal(r.headers["x-api-key"], undefined);
    assert.equal(r.headers.cookie, undefined);
    assert.equal(r.headers["x-trace"], "t1", "headers that are not credentials still go");
    assert.ok(!JSON.stringify(r.headers).includes(token) && !JSON.stringify(r.headers).includes(apiKey) && !JSON.stringify(r.headers).includes(cookie));
  }
}

describe("redirects in runs", () => {
  it("within the origin: followed with every header", async () => {
    const records = await extract(redirect("/echo"));
    assert.equal(records[0]?.authorization, `Bearer ${token}`);
    assert.equal((records[0]?.headers as Record<string, string>)["x-api-key"], apiKey);
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`${status} to another port: followed without Authorization, Cookie or secret headers`, async () => {
      const records = await extract(redirect(`${b.url}/echo`, status));
      assert.equal(records[0]?.authorization, null);
      assertNoCredentials(b);
    });
  }

  it("to another origin and back: the credentials stay dropped", async () => {
    await extract(redirect(`${b.url}${redirect(`${a.url}/echo`)}`));
    assert.equal(a.requests.length, 2);
    assert.equal(a.requests[0]?.headers.authorization, `Bearer ${token}`);
    assertNoCredentials({ ...a, requests: a.requests.slice(1) });
  });

  it("307 keeps a POST and its body; 303 turns it into a GET", async () => {
    const kept = await extract(redirect(`${b.url}/echo`, 307), { method: "POST", body: { q: 1 } } as Partial<Extract>);
    assert.deepEqual([kept[0]?.method, kept[0]?.body], ["POST", { q: 1 }]);
    const changed = await extract(redirect(`${b.url}/echo`, 303), { method: "POST", body: { q: 1 } } as Partial<Extract>);
    assert.deepEqual([changed[0]?.method, changed[0]?.body], ["GET", null]);
  });

  it("a 401 behind a cross-origin redirect says why the credentials were not sent", async () => {
    await assert.rejects(extract(redirect(`${b.url}/leak/401`)), (err: ConnectorError) => {
      assert.equal(err.code, "http-401");
      assert.match(err.message, new RegExp(`redirected to ${b.url.replace(/[.]/g, "\\.")}, and credentials are never sent to another origin; if that is the API, set \`base_url\` to it`));
      return true;
    });
  });

  it("a redirect loop and a redirect to another scheme fail with what to do, not retried", async () => {
    await assert.rejects(extract("/loop"), (err: ConnectorError) => {
      assert.equal(err.code, "http-redirects");
      assert.match(err.message, /more than 10 redirects \(a loop\?\); point `base_url` and `path` at the final address/);
      assert.equal(err.transient, false);
      return true;
    });
    await assert.rejects(extract(redirect("file:///etc/passwd")), /redirected to a file: URL; only http and https are followed/);
  });
});

describe("redirects in live analysis", () => {
  it("an http sample behind a cross-origin redirect is fetched without credentials", async () => {
    const sample = await analyzeSource({ connection: connection(), connectionName: "a", baseDir: ".", secrets: [token, apiKey, cookie] }, { kind: "http-sample", path: redirect(`${b.url}/echo`), method: "GET" });
    assert.ok(sample.columns.some((c) => c.name === "authorization"));
    assert.equal(a.requests[0]?.headers.authorization, `Bearer ${token}`);
    assertNoCredentials(b);
  });
});
