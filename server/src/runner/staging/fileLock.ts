/**
 * An exclusive lock between processes on one machine: a lock file created with `O_EXCL`. The file
 * holds its owner (pid, host, a token); a lock whose owner is gone (same host, pid not running), or
 * older than `staleMs`, is broken, so a killed run never blocks later ones for long.
 */
import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { ConnectorError } from "../../errors";
import { isAlive } from "../../sources/file/atomicWrite";

export interface FileLockOptions {
  /** A lock older than this is abandoned (held locks last milliseconds: one small read and write). */
  staleMs?: number;
  /** Give up waiting after this long. */
  timeoutMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

const errCode = (err: unknown) => (err as { code?: string }).code;

/** Runs `fn` holding the lock file `lockPath`; always releases it. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const token = await acquire(lockPath, options.staleMs ?? 30_000, options.timeoutMs ?? 120_000);
  try {
    return await fn();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(path: string, staleMs: number, timeoutMs: number): Promise<string> {
  const holder: Holder = { pid: process.pid, host: hostname(), token: `${process.pid}-${randomBytes(6).toString("hex")}` };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(path, "wx");
      try {
        await file.writeFile(JSON.stringify(holder));
      } finally {
        await file.close();
      }
      return holder.token;
    } catch (err: unknown) {
      if (errCode(err) !== "EEXIST") throw err;
    }
    if (await breakIfStale(path, staleMs, holder.token)) continue;
    if (Date.now() > deadline) {
      throw new ConnectorError("staging-locked", `${path} has been locked for over ${Math.round(timeoutMs / 1000)} s; if no agent-etl process is using this run, delete the lock file and retry`, true);
    }
    // Short, jittered and growing: holders keep the lock for a few milliseconds.
    await delay(Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random()));
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as Holder;
  } catch {
    return undefined; // gone, or its owner has not written it yet
  }
}

/** Removes the lock when its owner is gone or it is too old; true when it did (or the lock vanished). */
async function breakIfStale(path: string, staleMs: number, token: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return true;
  const owner = await readHolder(path);
  const dead = owner !== undefined && owner.host === hostname() && !isAlive(owner.pid);
  if (!dead && Date.now() - info.mtimeMs < staleMs) return false;
  // Moved aside first, so of two processes breaking it only one succeeds; if what was moved is a
  // fresh lock taken meanwhile (another inode), it is put back.
  const aside = `${path}.${token}.stale.tmp`;
  try {
    await rename(path, aside);
  } catch (err: unknown) {
    if (errCode(err) === "ENOENT") return true;
    throw err;
  }
  const moved = await stat(aside).catch(() => undefined);
  if (moved && moved.ino !== info.ino) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
  return true;
}

async function release(path: string, token: string): Promise<void> {
  // Only our own lock: if ours was broken as stale, the file is someone else's now.
  if ((await readHolder(path))?.token === token) await rm(path, { force: true });
}
