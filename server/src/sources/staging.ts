/**
 * Where step outputs are kept between steps and runs: `.etl/runs/` beside the pipeline file by
 * default, or a `staging` connection (a folder, or an S3 bucket every Airflow worker can reach).
 * Keys are `/`-separated and relative to the store, e.g. `<run_id>/<step_id>.jsonl`.
 */
export interface StagingStore {
  /** Where it is, for people: `.etl/runs/` or `s3://bucket/prefix/`. */
  describe(): string;
  /** Writes an object completely or not at all (temp name + rename, or a completed multipart upload). */
  write(key: string, body: AsyncIterable<Uint8Array | string>): Promise<void>;
  /** Copies a local file in, completely or not at all. */
  copyFile(key: string, path: string): Promise<void>;
  /** Streams an object; rejects with a `ConnectorError` whose code is `not-found` when it is absent. */
  read(key: string): Promise<AsyncIterable<Uint8Array>>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix. */
  list(prefix: string): Promise<string[]>;
  remove(key: string): Promise<void>;
  /**
   * Replaces a small text object with `change(current)` (`undefined`: absent) atomically against
   * every other `update` of the key, from any process sharing the store, so concurrent
   * read-modify-writes (parallel `--step` tasks saving one run's state) never lose one another.
   * `change` may be called more than once (after a conflict) and must only compute. Resolves to
   * the text written.
   */
  update(key: string, change: (current: string | undefined) => string): Promise<string>;
}
