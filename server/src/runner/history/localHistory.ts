/**
 * The local run history: one small JSON file per run, `.etl/history/<pipeline>/<run_id>.json` beside
 * the pipeline file. Listing reads every file of the pipeline's folder (1,000 runs: a few tens of ms,
 * `npm run bench -- runs`); a write is a locked read-merge-write of one file, so steps finishing in
 * several processes at once (`--step`) all land.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalStagingStore } from "../staging/localStaging";
import { mergeRecords } from "./record";
import type { RunRecord } from "./recordSchema";
import { newestFirst, type HistoryStore, type ListOptions } from "./store";

export const HISTORY_DIR = join(".etl", "history");

const fileOf = (runId: string) => `${runId}.json`;

export class LocalHistory implements HistoryStore {
  private readonly files: LocalStagingStore;

  constructor(
    private readonly dir: string,
    private readonly shown: string,
  ) {
    this.files = new LocalStagingStore(dir, shown);
  }

  async save(record: RunRecord, touched: ReadonlySet<string>): Promise<void> {
    await this.files.update(fileOf(record.run_id), (stored) => JSON.stringify(mergeRecords(parse(stored), record, touched)) + "\n");
  }

  async list(options: ListOptions = {}): Promise<RunRecord[]> {
    const names = await readdir(this.dir).catch((err: unknown) => {
      if ((err as { code?: string }).code === "ENOENT") return [] as string[];
      throw err;
    });
    const read = await Promise.all(names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).map((n) => readFile(join(this.dir, n), "utf8").then(parse, () => undefined)));
    const runs = read.filter((r): r is RunRecord => r !== undefined && (options.status === undefined || r.status === options.status)).sort(newestFirst);
    return options.limit === undefined ? runs : runs.slice(0, options.limit);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    return readFile(join(this.dir, fileOf(runId)), "utf8").then(parse, () => undefined);
  }

  async remove(runIds: readonly string[]): Promise<void> {
    for (const id of runIds) await this.files.remove(fileOf(id));
  }

  describe(): string {
    return this.shown;
  }

  async close(): Promise<void> {}
}

/** A stored record; a torn or foreign file is skipped, not fatal to listing. */
function parse(text: string | undefined): RunRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as RunRecord;
    return typeof value.run_id === "string" && Array.isArray(value.steps) ? value : undefined;
  } catch {
    return undefined;
  }
}
