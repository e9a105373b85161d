/**
 * The local StagingStore: a folder (`.etl/runs/` beside the pipeline file by default). Writes are
 * atomic; `update` holds a lock file beside the key (`.<name>.lock`) around its read and write.
 */
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { ConnectorError } from "../../errors";
import { copyFileAtomic, writeFileAtomic } from "../../sources/file/atomicWrite";
import { confinePath } from "../../sources/file/root";
import type { StagingStore } from "../../sources/staging";
import { withFileLock } from "./fileLock";

export class LocalStagingStore implements StagingStore {
  constructor(readonly root: string, private readonly shown = root) {}

  describe(): string {
    return this.shown;
  }

  /** The file behind a key; keys never leave the root. */
  pathOf(key: string): string {
    return confinePath(this.root, key, "staging");
  }

  async write(key: string, body: AsyncIterable<Uint8Array | string>): Promise<void> {
    await writeFileAtomic(this.pathOf(key), body);
  }

  async copyFile(key: string, path: string): Promise<void> {
    await copyFileAtomic(path, this.pathOf(key));
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    const path = this.pathOf(key);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new ConnectorError("not-found", `staged object ${key} is not in ${this.shown}`);
    return createReadStream(path, { highWaterMark: 256 * 1024 });
  }

  async exists(key: string): Promise<boolean> {
    return (await stat(this.pathOf(key)).catch(() => undefined))?.isFile() ?? false;
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    await listInto(this.root, resolve(this.root), out);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async update(key: string, change: (current: string | undefined) => string): Promise<string> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    return withFileLock(join(dirname(path), `.${basename(path)}.lock`), async () => {
      const current = await readFile(path, "utf8").catch((err: unknown) => {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        throw err;
      });
      const next = change(current);
      await writeFileAtomic(path, once(next));
      return next;
    });
  }
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function listInto(root: string, dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await listInto(root, full, out);
    else if (e.isFile() && !e.name.endsWith(".tmp") && !e.name.endsWith(".lock")) out.push(relative(root, full).split(sep).join("/"));
  }
}
