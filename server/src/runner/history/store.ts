/** Where runs are recorded: one interface over the local folder and the shared PostgreSQL table. */
import type { RecordStatus, RunRecord } from "./recordSchema";

export interface ListOptions {
  limit?: number;
  status?: RecordStatus;
}

export interface HistoryStore {
  /** Writes the record, merged over the stored one (mergeRecords): `touched` are the steps this process ran. */
  save(record: RunRecord, touched: ReadonlySet<string>): Promise<void>;
  /** The pipeline's runs, newest first. */
  list(options?: ListOptions): Promise<RunRecord[]>;
  get(runId: string): Promise<RunRecord | undefined>;
  remove(runIds: readonly string[]): Promise<void>;
  /** Where the history is, for messages (never a URL with a password). */
  describe(): string;
  close(): Promise<void>;
}

/** Newest first: by start time, then run id (runs started in the same millisecond keep one order). */
export function newestFirst(a: RunRecord, b: RunRecord): number {
  if (a.started_at !== b.started_at) return a.started_at < b.started_at ? 1 : -1;
  return a.run_id < b.run_id ? 1 : a.run_id > b.run_id ? -1 : 0;
}
