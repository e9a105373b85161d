/**
 * The local run history, in `.etl/history/<pipeline>/` beside the pipeline file: one small JSON file
 * per run (`<run_id>.json`, what `runs show` reads) and `index.jsonl`, where every write of a run
 * appends its record as one line (the last line of a run wins). Listing reads the index only: one
 * file, not one per run (1,000 runs: `npm run bench -- runs`). A write merges over the run's file
 * under its lock (mergeRecords), so steps finishing in several processes at once (`--step`) all
 * land; removing runs rewrites the index without them, which also drops superseded lines.
 */
import { randomBytes } from "node:crypto";
import { appendFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withFileLock } from "../staging/fileLock";
import { mergeRecords } from "./record";
import type { RunRecord } from "./recordSchema";
import { newestFirst, type HistoryStore, type ListOptions } from "./store";

export const HISTORY_DIR = join(".etl", "history");
const INDEX = "index.jsonl";

const errCode = (err: unknown) => (err as { code?: string }).code;

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, "utf8").catch((err: unknown) => {
    if (errCode(err) === "ENOENT") return undefined;
    throw err;
  });
}

/** Write then rename: a reader sees the old file or the new one, never half of one. (Not writeFileAtomic: it scans the folder for stale temporaries on every write, O(runs).) */
async function replaceFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (err: unknown) {
    await rm(temp, { force: true });
    throw err;
  }
}

export class LocalHistory implements HistoryStore {
  constructor(
    private readonly dir: string,
    private readonly shown: string,
  ) {}

  private fileOf(runId: string): string {
    if (runId.includes("/") || runId.includes("\\") || runId.startsWith(".")) throw new Error(`run id ${JSON.stringify(runId)} cannot name a history file`);
    return join(this.dir, `${runId}.json`);
  }

  async save(record: RunRecord, touched: ReadonlySet<string>): Promise<void> {
    const path = this.fileOf(record.run_id);
    await mkdir(this.dir, { recursive: true });
    await withFileLock(join(this.dir, `.${record.run_id}.lock`), async () => {
      const merged = mergeRecords(parse(await readText(path)), record, touched);
      const line = JSON.stringify(merged);
      await replaceFile(path, line + "\n");
      // Inside the run's lock, so a run's lines are in the order of its writes.
      await withFileLock(join(this.dir, `.${INDEX}.lock`), () => appendFile(join(this.dir, INDEX), line + "\n"));
    });
  }

  async list(options: ListOptions = {}): Promise<RunRecord[]> {
    const latest = await this.readIndex();
    const runs = [...latest.values()].filter((r) => options.status === undefined || r.status === options.status).sort(newestFirst);
    return options.limit === undefined ? runs : runs.slice(0, options.limit);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    return parse(await readText(this.fileOf(runId)));
  }

  async remove(runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return;
    const gone = new Set(runIds);
    await withFileLock(join(this.dir, `.${INDEX}.lock`), async () => {
      const kept = [...(await this.readIndex()).values()].filter((r) => !gone.has(r.run_id));
      await replaceFile(join(this.dir, INDEX), kept.map((r) => JSON.stringify(r) + "\n").join(""));
    });
    for (const id of gone) await rm(this.fileOf(id), { force: true });
  }

  describe(): string {
    return this.shown;
  }

  async close(): Promise<void> {}

  /** Each run's last line; a torn line (a killed writer) is skipped. */
  private async readIndex(): Promise<Map<string, RunRecord>> {
    const text = (await readText(join(this.dir, INDEX))) ?? "";
    const latest = new Map<string, RunRecord>();
    for (const line of text.split("\n")) {
      const record = line === "" ? undefined : parse(line);
      if (record) latest.set(record.run_id, record);
    }
    return latest;
  }
}

/** A stored record; a torn or foreign line is skipped, not fatal to listing. */
function parse(text: string | undefined): RunRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as RunRecord;
    return typeof value.run_id === "string" && Array.isArray(value.steps) ? value : undefined;
  } catch {
    return undefined;
  }
}
