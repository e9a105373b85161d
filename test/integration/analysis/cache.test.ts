/** The analysis cache in front of a real loopback HTTP API: single-flight, TTL, disk, failures, bounds, secrets. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Connection } from "../../../server/src/pipeline/model";
import { AnalysisCache, connectionFingerprint } from "../../../server/src/sources/analysis/cache";
import { fileName } from "../../../server/src/sources/analysis/diskStore";
import { cacheKey } from "../../../server/src/sources/analysis/fingerprint";
import { KEY_FILE } from "../../../server/src/sources/analysis/installKey";
import { resolveForAnalysis } from "../../../server/src/sources/analysis";
import type { AnalysisRequest, AnalyzeContext, CacheAnswer } from "../../../server/src/sources/analysis/types";
import { startApi, type TestApi } from "../../support/httpServer";

const RECORDS = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, name: `n${i}`, amount: i * 1.5 }));
let api: TestApi;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "analysis-cache-"));
  dirs.push(dir);
  return dir;
}

function ctx(extra: Partial<Connection> = {}): AnalyzeContext {
  return { connection: { type: "http", base_url: api.url, ...extra } as Connection, connectionName: "api", baseDir: process.cwd(), secrets: [], timeoutMs: 5000 };
}

const sample = (path = "/page") => ({ kind: "http-sample" as const, path, records: "data.items" });
const hits = (path = "/page") => api.requests.filter((r) => r.path === path).length;

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const settled = (cache: AnalysisCache, c: AnalyzeContext, r: AnalysisRequest) =>
  until(async () => {
    const a = await cache.lookup(c, r);
    return a.state === "loading" ? undefined : a;
  }, "the background fetch");

before(async () => {
  api = await startApi(RECORDS);
});
afterEach(() => api.clear());
after(async () => {
  await api?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("analysis cache", () => {
  it("shares one fetch among concurrent callers (single-flight) and serves the next from memory", async () => {
    const cache = new AnalysisCache({ dir: tempDir() });
    api.always({ delayMs: 150 });
    const results = await Promise.all([cache.fetch(ctx(), sample()), cache.fetch(ctx(), sample()), cache.lookup(ctx(), sample(), { waitMs: 2000 }), cache.fetch(ctx(), sample())]);
    assert.equal(hits(), 1);
    assert.deepEqual(results[0].columns.map((c) => [c.name, c.type]), [["id", "integer"], ["name", "string"], ["amount", "number"]]);
    assert.equal((results[2] as CacheAnswer).state, "fresh");
    await cache.fetch(ctx(), sample());
    assert.equal(hits(), 1, "a fresh value is served without the source");
    await cache.fetch(ctx(), sample(), { refresh: true });
    assert.equal(hits(), 2, "refresh asks the source");
  });

  it("answers at once while loading, goes stale after the TTL and refreshes in the background", async () => {
    const t = clock();
    const cache = new AnalysisCache({ dir: null, now: t.now, ttlMs: () => 60_000 });
    const changes: string[] = [];
    cache.onChange((fp) => changes.push(fp));
    api.always({ delayMs: 100 });
    const started = Date.now();
    assert.deepEqual(await cache.lookup(ctx(), sample()), { state: "loading" });
    assert.ok(Date.now() - started < 80, "lookup does not wait for the source");
    const fresh = await settled(cache, ctx(), sample());
    assert.equal(fresh.state, "fresh");
    assert.deepEqual(changes, [connectionFingerprint(ctx())]);
    t.advance(60_001);
    const stale = await cache.lookup(ctx(), sample());
    assert.equal(stale.state, "stale");
    assert.ok("value" in stale && stale.value.kind === "http-sample");
    await until(() => (changes.length === 2 ? true : undefined), "the refresh to land");
    assert.equal((await cache.lookup(ctx(), sample())).state, "fresh");
    assert.equal(hits(), 2);
  });

  it("reloads from disk in a new cache instance, and ignores corrupt files", async () => {
    const dir = tempDir();
    const first = new AnalysisCache({ dir });
    await first.fetch(ctx(), sample());
    await first.fetch(ctx(), { kind: "http-sample", path: "/offset" });
    await first.flush();
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    assert.equal(files.length, 2);
    const second = new AnalysisCache({ dir });
    const answer = await second.lookup(ctx(), sample());
    assert.equal(answer.state, "fresh");
    assert.equal(hits(), 1, "the second instance did not ask the source");
    for (const f of files) writeFileSync(join(dir, f), "{ not json");
    const third = new AnalysisCache({ dir });
    assert.equal((await third.lookup(ctx(), { kind: "http-sample", path: "/offset" })).state, "loading");
  });

  it("caches a failure and retries quietly later, with backoff", async () => {
    const t = clock();
    const cache = new AnalysisCache({ dir: null, now: t.now, failureRetryMs: 30_000 });
    api.always({ status: 401, body: '{"error":"bad token"}' });
    const failed = await cache.lookup(ctx(), sample(), { waitMs: 2000 });
    assert.equal(failed.state, "failed");
    assert.ok(failed.state === "failed" && failed.failure.code === "http-401");
    for (let i = 0; i < 5; i++) assert.equal((await cache.lookup(ctx(), sample())).state, "failed");
    assert.equal(hits(), 1, "no retry before failureRetryMs");
    t.advance(30_000);
    await cache.lookup(ctx(), sample(), { waitMs: 2000 });
    assert.equal(hits(), 2, "one quiet retry once due");
    t.advance(30_000);
    await cache.lookup(ctx(), sample(), { waitMs: 2000 });
    assert.equal(hits(), 2, "the second retry waits twice as long");
    api.clear();
    t.advance(30_000);
    const recovered = await cache.lookup(ctx(), sample(), { waitMs: 2000 });
    assert.equal(recovered.state, "fresh");
  });

  it("stays bounded in memory and on disk", async () => {
    const dir = tempDir();
    const cache = new AnalysisCache({ dir, maxEntries: 3 });
    for (const path of ["/page", "/offset", "/cursor", "/link", "/echo"]) await cache.fetch(ctx(), { kind: "http-sample", path });
    await cache.flush();
    assert.ok(readdirSync(dir).filter((f) => f.endsWith(".json")).length <= 3);
    await cache.fetch(ctx(), { kind: "http-sample", path: "/page" });
    assert.equal(hits("/page"), 2, "the oldest entry was evicted");
  });

  it("keeps secrets out of the cache files and the fingerprint", async () => {
    const dir = tempDir();
    const token = `tok-${randomBytes(12).toString("hex")}`;
    const resolved = resolveForAnalysis("api", { type: "http", base_url: api.url, auth: { type: "bearer", token: "${env:API_TOKEN}" } } as Connection, new Map([["API_TOKEN", token]]), process.cwd());
    assert.ok("connection" in resolved);
    const c: AnalyzeContext = { ...ctx(), connection: resolved.connection, secrets: resolved.secrets };
    const cache = new AnalysisCache({ dir });
    const echoed = await cache.fetch(c, { kind: "http-sample", path: "/echo" });
    assert.ok(echoed.columns.some((col) => col.name === "authorization"));
    assert.equal(api.requests.at(-1)?.headers.authorization, `Bearer ${token}`);
    await cache.flush();
    assert.doesNotMatch(connectionFingerprint(c), new RegExp(token));
    for (const f of readdirSync(dir)) {
      assert.doesNotMatch(f, new RegExp(token));
      assert.doesNotMatch(readFileSync(join(dir, f), "utf8"), new RegExp(token));
    }
  });

  it("names cache files by HMAC under a per-install key (0600, made once), never by the plain SHA-256 of the connection", async () => {
    const dir = tempDir();
    const password = `pw-${randomBytes(9).toString("hex")}`;
    const c = ctx({ auth: { type: "bearer", token: password } } as Partial<Connection>);
    // Two processes' caches on one folder, racing to make the key: one key, shared.
    const [a, b] = [new AnalysisCache({ dir }), new AnalysisCache({ dir })];
    await Promise.all([a.fetch(c, sample()), b.fetch(c, { kind: "http-sample", path: "/offset" })]);
    await Promise.all([a.flush(), b.flush()]);
    const key = statSync(join(dir, KEY_FILE));
    assert.equal(key.mode & 0o777, 0o600);
    assert.equal(key.size, 32);
    const fingerprint = connectionFingerprint(c);
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    assert.equal(files.length, 2);
    for (const f of files) {
      assert.notEqual(f, fileName(fingerprint, cacheKey(fingerprint, sample())));
      assert.ok(!f.startsWith(fingerprint.slice(0, 32)), "the name is not the plain fingerprint");
      assert.ok(!readFileSync(join(dir, f), "utf8").includes(fingerprint), "nor is the content");
    }
    const hitsBefore = hits("/offset");
    assert.equal((await new AnalysisCache({ dir }).lookup(c, { kind: "http-sample", path: "/offset" })).state, "fresh", "a later process reads what another wrote");
    assert.equal(hits("/offset"), hitsBefore);
    // Another install (another key) finds nothing, and so does an entry named the old, unsalted way.
    const other = tempDir();
    for (const f of files) writeFileSync(join(other, f), readFileSync(join(dir, f)));
    writeFileSync(join(other, fileName(fingerprint, cacheKey(fingerprint, sample()))), JSON.stringify({ format: 1, fingerprint, connectionType: "http", request: sample(), fetchedAt: Date.now(), value: { kind: "http-sample", columns: [] } }));
    const elsewhere = new AnalysisCache({ dir: other });
    assert.equal((await elsewhere.lookup(c, sample())).state, "loading");
    await settled(elsewhere, c, sample()); // the fetch it started, so it does not land in the next test
  });

  it("forgets one source on invalidate, in memory and on disk", async () => {
    const dir = tempDir();
    const cache = new AnalysisCache({ dir });
    const other = { ...ctx(), connection: { type: "http", base_url: `${api.url}/` } as Connection };
    await cache.fetch(ctx(), sample());
    await cache.fetch(other, sample());
    await cache.flush();
    cache.invalidate(connectionFingerprint(ctx()));
    await cache.flush();
    assert.equal(readdirSync(dir).filter((f) => f.endsWith(".json")).length, 1);
    assert.equal((await new AnalysisCache({ dir }).lookup(other, sample())).state, "fresh");
    assert.equal((await cache.lookup(ctx(), sample(), { waitMs: 2000 })).state, "fresh");
    assert.equal(hits(), 3, `the invalidated source was asked again: ${JSON.stringify(api.requests.map((r) => r.path))}`);
  });

  it("reports a missing secret as a failure value", () => {
    const resolved = resolveForAnalysis("api", { type: "http", base_url: "${env:NOPE_NOT_SET_X}" } as Connection, new Map(), process.cwd());
    assert.ok("failure" in resolved);
    assert.equal(resolved.failure.code, "missing-secret");
    assert.match(resolved.failure.message, /NOPE_NOT_SET_X/);
  });
});
