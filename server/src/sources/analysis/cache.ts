/**
 * The analysis cache: in memory (LRU) and on disk, keyed by connection fingerprint + request.
 * `lookup` never waits on a source longer than the caller allows — it answers from what it has
 * (fresh, stale, loading or failed) and fetches in the background; `fetch` waits for the source.
 * Concurrent fetches of one key share one call (single-flight). Failures are cached and retried
 * quietly after `failureRetryMs`, doubling per consecutive failure (at most 16×): never a storm.
 */
import { ConnectorError, EtlError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import type { ConnectionType } from "../../pipeline/model";
import { DiskStore, defaultCacheDir } from "./diskStore";
import { cacheKey, connectionFingerprint, connectionSecretValues } from "./fingerprint";
import type { AnalysisFailure, AnalysisRequest, AnalysisResult, AnalyzeContext, CacheAnswer, ResultFor } from "./types";

export { connectionFingerprint } from "./fingerprint";
export { defaultCacheDir } from "./diskStore";

export interface AnalysisCacheOptions {
  /** Folder of the cache files (default `defaultCacheDir()`); `null`: memory only. */
  dir?: string | null;
  /** Time-to-live of a result (default `defaultTtlMs`). */
  ttlMs?: (request: AnalysisRequest, connectionType: ConnectionType) => number;
  /** Most entries kept in memory and files kept on disk (default 500). */
  maxEntries?: number;
  /** First quiet retry after a failure (default 30 s), doubled per consecutive failure up to 16×. */
  failureRetryMs?: number;
  /** The source (default `analyzeSource`, loaded lazily). */
  analyze?: (ctx: AnalyzeContext, request: AnalysisRequest) => Promise<AnalysisResult>;
  /** Clock (tests). */
  now?: () => number;
}

const MINUTE = 60_000;

/** Folders change often; schemas and samples rarely. */
export function defaultTtlMs(request: AnalysisRequest): number {
  return request.kind === "folder" ? MINUTE : 5 * MINUTE;
}

interface Entry {
  fingerprint: string;
  value?: AnalysisResult;
  fetchedAt?: number;
  /** The last fetch failed (after `value`, if any, was fetched). */
  failure?: AnalysisFailure;
  failedAt?: number;
  failures: number;
  inflight?: Promise<AnalysisResult>;
}

function toFailure(err: unknown, secrets: readonly string[]): AnalysisFailure {
  const code = err instanceof EtlError ? err.code : "analysis-failed";
  const message = err instanceof Error ? err.message : String(err);
  return { code, message: scrubSecrets(message, secrets) };
}

async function defaultAnalyze(ctx: AnalyzeContext, request: AnalysisRequest): Promise<AnalysisResult> {
  return (await import("./index.js")).analyzeSource(ctx, request);
}

export class AnalysisCache {
  private readonly entries = new Map<string, Entry>();
  private readonly diskLoads = new Map<string, Promise<Entry | undefined>>();
  private readonly listeners = new Set<(fingerprint: string) => void>();
  private readonly disk: DiskStore | undefined;
  private readonly ttl: (request: AnalysisRequest, connectionType: ConnectionType) => number;
  private readonly maxEntries: number;
  private readonly failureRetryMs: number;
  private readonly analyze: (ctx: AnalyzeContext, request: AnalysisRequest) => Promise<AnalysisResult>;
  private readonly now: () => number;
  /** Bumped by `invalidate` (per source, or for all): fetches started before it do not write their results back. */
  private generationAll = 0;
  private readonly generations = new Map<string, number>();

  constructor(options: AnalysisCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 500);
    const dir = options.dir === undefined ? defaultCacheDir() : options.dir;
    this.disk = dir === null ? undefined : new DiskStore(dir, this.maxEntries);
    this.ttl = options.ttlMs ?? defaultTtlMs;
    this.failureRetryMs = options.failureRetryMs ?? 30_000;
    this.analyze = options.analyze ?? defaultAnalyze;
    this.now = options.now ?? Date.now;
  }

  /** The folder of the cache files, or undefined for a memory-only cache. */
  get dir(): string | undefined {
    return this.disk?.dir;
  }

  /**
   * Answers within `waitMs` (default 0: at once) from memory or disk; starts a background fetch
   * when nothing is cached, the value is stale, or a failure's quiet retry is due.
   */
  async lookup<R extends AnalysisRequest>(ctx: AnalyzeContext, request: R, options: { waitMs?: number } = {}): Promise<CacheAnswer<ResultFor<R>>> {
    const fingerprint = connectionFingerprint(ctx);
    const key = cacheKey(fingerprint, request);
    const entry = await this.entry(key, fingerprint, request);
    if (this.needsFetch(entry, request, ctx.connection.type)) this.start(key, entry, ctx, request).catch(() => undefined);
    const waitMs = options.waitMs ?? 0;
    if (entry.inflight && waitMs > 0) await waitAtMost(entry.inflight, waitMs);
    return this.answer(this.entries.get(key) ?? entry, request, ctx.connection.type) as CacheAnswer<ResultFor<R>>;
  }

  /** Waits for the source unless a fresh value is cached (`refresh`: always asks the source). Rejects with a ConnectorError. */
  async fetch<R extends AnalysisRequest>(ctx: AnalyzeContext, request: R, options: { refresh?: boolean } = {}): Promise<ResultFor<R>> {
    const fingerprint = connectionFingerprint(ctx);
    const key = cacheKey(fingerprint, request);
    const entry = await this.entry(key, fingerprint, request);
    if (!options.refresh && !entry.inflight && entry.value !== undefined && !entry.failure && !this.isStale(entry, request, ctx.connection.type)) {
      return entry.value as ResultFor<R>;
    }
    const pending = entry.inflight ?? this.start(key, entry, ctx, request);
    return (await abortable(pending, ctx.signal)) as ResultFor<R>;
  }

  /** Forgets one source's results (memory and disk), or everything. */
  invalidate(fingerprintOrAll?: string): void {
    if (fingerprintOrAll === undefined) this.generationAll++;
    else this.generations.set(fingerprintOrAll, (this.generations.get(fingerprintOrAll) ?? 0) + 1);
    for (const [key, entry] of this.entries) if (fingerprintOrAll === undefined || entry.fingerprint === fingerprintOrAll) this.entries.delete(key);
    this.diskLoads.clear();
    void this.disk?.remove(fingerprintOrAll);
  }

  /** Called with the source's fingerprint whenever a fetch lands (a value or a failure). Returns an unsubscribe function. */
  onChange(listener: (fingerprint: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits until pending disk writes are done (tests, shutdown). */
  async flush(): Promise<void> {
    await this.disk?.flush();
  }

  private generationOf(fingerprint: string): string {
    return `${this.generationAll}:${this.generations.get(fingerprint) ?? 0}`;
  }

  private isStale(entry: Entry, request: AnalysisRequest, type: ConnectionType): boolean {
    return entry.fetchedAt === undefined || this.now() - entry.fetchedAt > this.ttl(request, type);
  }

  private retryDueAt(entry: Entry): number {
    const factor = 2 ** Math.min(4, Math.max(0, entry.failures - 1));
    return (entry.failedAt ?? 0) + this.failureRetryMs * factor;
  }

  private needsFetch(entry: Entry, request: AnalysisRequest, type: ConnectionType): boolean {
    if (entry.inflight) return false;
    if (entry.failure) return this.now() >= this.retryDueAt(entry);
    return entry.value === undefined || this.isStale(entry, request, type);
  }

  private answer(entry: Entry, request: AnalysisRequest, type: ConnectionType): CacheAnswer {
    if (entry.failure) {
      const failed: CacheAnswer = { state: "failed", failure: entry.failure };
      if (entry.value !== undefined && entry.fetchedAt !== undefined) Object.assign(failed, { value: entry.value, fetchedAt: entry.fetchedAt });
      return failed;
    }
    if (entry.value !== undefined && entry.fetchedAt !== undefined) {
      return { state: this.isStale(entry, request, type) ? "stale" : "fresh", value: entry.value, fetchedAt: entry.fetchedAt };
    }
    return { state: "loading" };
  }

  /** The entry in memory, else from disk (one read per key at a time), else a new empty one. */
  private async entry(key: string, fingerprint: string, request: AnalysisRequest): Promise<Entry> {
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    if (!this.disk) return this.remember(key, { fingerprint, failures: 0 });
    let loading = this.diskLoads.get(key);
    if (!loading) {
      const disk = this.disk;
      loading = (async () => {
        const stored = await disk.read(fingerprint, key, request);
        return stored ? { fingerprint, value: stored.value, fetchedAt: stored.fetchedAt, failures: 0 } : undefined;
      })();
      this.diskLoads.set(key, loading);
      loading.finally(() => this.diskLoads.delete(key)).catch(() => undefined);
    }
    const loaded = await loading;
    // Another caller may have remembered the key while the file was read: share its entry.
    return this.entries.get(key) ?? this.remember(key, loaded ?? { fingerprint, failures: 0 });
  }

  private remember(key: string, entry: Entry): Entry {
    this.entries.set(key, entry);
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (!e.inflight) this.entries.delete(k);
    }
    return entry;
  }

  private start(key: string, entry: Entry, ctx: AnalyzeContext, request: AnalysisRequest): Promise<AnalysisResult> {
    const generation = this.generationOf(entry.fingerprint);
    const secrets = [...ctx.secrets, ...connectionSecretValues(ctx.connection)];
    // A shared fetch must not die with one caller: the caller's signal only ends its own wait.
    const { signal: _signal, ...shared } = ctx;
    const run = (async () => {
      try {
        const value = await this.analyze(shared, request);
        if (generation === this.generationOf(entry.fingerprint)) {
          Object.assign(entry, { value, fetchedAt: this.now(), failures: 0 });
          delete entry.failure;
          delete entry.failedAt;
          this.remember(key, entry);
          this.disk?.write(key, { fingerprint: entry.fingerprint, connectionType: ctx.connection.type, request, fetchedAt: entry.fetchedAt ?? this.now(), value }, secrets).catch(() => undefined);
        }
        return value;
      } catch (err: unknown) {
        const failure = toFailure(err, secrets);
        if (generation === this.generationOf(entry.fingerprint)) {
          Object.assign(entry, { failure, failedAt: this.now(), failures: entry.failures + 1 });
          this.remember(key, entry);
        }
        throw new ConnectorError(failure.code, failure.message, err instanceof ConnectorError && err.transient);
      } finally {
        delete entry.inflight;
        this.notify(entry.fingerprint);
      }
    })();
    run.catch(() => undefined); // callers that stopped waiting leave no unhandled rejection
    entry.inflight = run;
    return run;
  }

  private notify(fingerprint: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(fingerprint);
      } catch {
        // a listener's bug must not break the cache
      }
    }
  }
}

async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) throw new ConnectorError("aborted", "analysis was stopped", false);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new ConnectorError("aborted", "analysis was stopped", false));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
