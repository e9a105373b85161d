/**
 * The analysis cache on disk: one JSON file per key (`<source id prefix>-<key id prefix>.json`),
 * written atomically (temporary file + rename), read back by a later process. A file that does not
 * parse or does not match its key is ignored. The files hold results and keyed hashes only: the
 * fingerprint and key (SHA-256s over the connection, password included) never reach the disk in
 * clear, only their HMACs under the folder's install key (installKey.ts); the text is scrubbed of
 * the connection's secrets before it is written.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { scrubSecrets } from "../../env/scrub";
import type { ConnectionType } from "../../pipeline/model";
import { stableJson } from "./fingerprint";
import { keyedHash, loadInstallKey } from "./installKey";
import type { AnalysisRequest, AnalysisResult } from "./types";

/**
 * 2: names and `fingerprint` are HMACs under the install key (files of format 1 are ignored).
 * 3: a database's catalog is the request kind `catalog` (was `postgres-catalog`).
 */
const FORMAT = 3;

export interface StoredEntry {
  fingerprint: string;
  connectionType: ConnectionType;
  request: AnalysisRequest;
  fetchedAt: number;
  value: AnalysisResult;
}

/** `$XDG_CACHE_HOME/agent-etl/analysis`, else `~/.cache/agent-etl/analysis`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() !== "" ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "agent-etl", "analysis");
}

/** The file of an entry, from the keyed ids of its source and key. */
export function fileName(sourceId: string, keyId: string): string {
  return `${sourceId.slice(0, 32)}-${keyId.slice(0, 32)}.json`;
}

const NAME = /^[0-9a-f]{32}-[0-9a-f]{32}\.json$/;

export class DiskStore {
  /** Writes and deletions run one after another; reads wait for them. */
  private queue: Promise<void> = Promise.resolve();
  private key: Promise<Buffer> | undefined;

  constructor(
    readonly dir: string,
    private readonly maxFiles: number,
  ) {}

  /** The folder's install key (made on first use); a failure is retried by the next call. */
  private installKey(): Promise<Buffer> {
    this.key ??= loadInstallKey(this.dir).catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  /** The keyed id of a source fingerprint, as stored on disk. */
  async sourceId(fingerprint: string): Promise<string> {
    return keyedHash(await this.installKey(), `source\n${fingerprint}`);
  }

  private async place(fingerprint: string, key: string): Promise<{ sourceId: string; path: string }> {
    const installKey = await this.installKey();
    const sourceId = keyedHash(installKey, `source\n${fingerprint}`);
    return { sourceId, path: join(this.dir, fileName(sourceId, keyedHash(installKey, `entry\n${key}`))) };
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(op).catch(() => undefined);
    return this.queue;
  }

  async read(fingerprint: string, key: string, request: AnalysisRequest): Promise<StoredEntry | undefined> {
    await this.queue;
    let parsed: unknown;
    let sourceId: string;
    try {
      const place = await this.place(fingerprint, key);
      sourceId = place.sourceId;
      parsed = JSON.parse(await readFile(place.path, "utf8"));
    } catch {
      return undefined;
    }
    const e = parsed as Partial<StoredEntry> & { format?: number };
    const ok =
      e?.format === FORMAT &&
      e.fingerprint === sourceId &&
      typeof e.fetchedAt === "number" &&
      typeof e.connectionType === "string" &&
      stableJson(e.request) === stableJson(request) &&
      typeof e.value === "object" &&
      e.value !== null &&
      e.value.kind === request.kind;
    return ok ? ({ ...(e as StoredEntry), fingerprint } satisfies StoredEntry) : undefined;
  }

  write(key: string, entry: StoredEntry, secrets: readonly string[]): Promise<void> {
    return this.enqueue(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const { sourceId, path } = await this.place(entry.fingerprint, key);
      const text = scrubSecrets(JSON.stringify({ format: FORMAT, ...entry, fingerprint: sourceId }), secrets);
      const temp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
      try {
        await writeFile(temp, text, { mode: 0o600 });
        await rename(temp, path);
      } catch (err: unknown) {
        await rm(temp, { force: true });
        throw err;
      }
      await this.prune();
    });
  }

  /** Deletes the files of one fingerprint, or every cache file. */
  remove(fingerprint?: string): Promise<void> {
    return this.enqueue(async () => {
      const names = await readdir(this.dir).catch(() => [] as string[]);
      const prefix = fingerprint === undefined ? undefined : (await this.sourceId(fingerprint)).slice(0, 32);
      await Promise.all(names.filter((n) => NAME.test(n) && (prefix === undefined || n.startsWith(`${prefix}-`))).map((n) => rm(join(this.dir, n), { force: true })));
    });
  }

  /** Keeps the newest `maxFiles` cache files (and drops temporary files a killed process left). */
  private async prune(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const stale = names.filter((n) => n.endsWith(".tmp"));
    const files = names.filter((n) => NAME.test(n));
    if (files.length <= this.maxFiles && stale.length === 0) return;
    const infos = await Promise.all(files.map(async (n) => ({ n, t: (await stat(join(this.dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    infos.sort((a, b) => b.t - a.t);
    const hourAgo = Date.now() - 3_600_000;
    const tmpInfos = await Promise.all(stale.map(async (n) => ({ n, t: (await stat(join(this.dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    const doomed = [...infos.slice(this.maxFiles).map((i) => i.n), ...tmpInfos.filter((i) => i.t < hourAgo).map((i) => i.n)];
    await Promise.all(doomed.map((n) => rm(join(this.dir, n), { force: true })));
  }

  /** Waits for pending writes (tests, shutdown). */
  flush(): Promise<void> {
    return this.queue;
  }
}
