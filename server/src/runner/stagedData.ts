/**
 * Step outputs in the StagingStore: `<run_id>/<step_id>.rows` (the records, as staged rows:
 * `sources/formats/rows.ts`) and `<run_id>/<step_id>.meta.json` (row count, known column types,
 * format), written in that order, so a meta file means a complete output. An extract that reads
 * one local file is staged as a copy of that file (`<step_id>.csv`, `.jsonl`, `.json`; the meta
 * names the format), and its records are read from the copy. Runs staged by earlier versions
 * (JSON Lines, no `format` in the meta) are still read.
 */
import { ConnectorError, StepError } from "../errors";
import type { ColumnType } from "../pipeline/model";
import { readRecordBatches, type CsvOptions, type TextFormat } from "../sources/formats";
import { readJsonlBatches } from "../sources/formats/jsonl";
import { readRowsBatches, RowsEncoder, rowsTextOf } from "../sources/formats/rows";
import type { StagingStore } from "../sources/staging";
import type { DataRecord, SingleFileSource } from "../sources/types";

export interface StepOutputMeta {
  rows: number;
  columns?: Record<string, ColumnType>;
  /** How the records are staged: staged rows, or a copy of the file an extract read; absent in runs staged before staged rows (JSON Lines). */
  format?: "rows" | TextFormat;
  /** For a staged CSV copy: how to read it. */
  csv?: CsvOptions;
}

/** The key of a step's records; `format` undefined is a run staged before staged rows (JSON Lines). */
export const dataKey = (runId: string, stepId: string, format: StepOutputMeta["format"]) => `${runId}/${stepId}.${format ?? "jsonl"}`;
export const metaKey = (runId: string, stepId: string) => `${runId}/${stepId}.meta.json`;

async function* single(text: string): AsyncGenerator<string> {
  yield text;
}

/** Where a step's batches also go, beside its staged file: its live consumer (`live/channel.ts`). */
export interface BatchTee {
  push(batch: DataRecord[]): Promise<void>;
  setColumns(getter: () => Record<string, ColumnType> | undefined): void;
}

/** What a step's output stage does with each batch besides staging it. */
interface StageOptions {
  onBatch?: (rows: number) => void;
  /** Sees each batch before it is staged or handed on (a step's checks); a promise holds the stream until it settles. */
  observe?: (batch: DataRecord[]) => void | Promise<void>;
  signal?: AbortSignal;
  columns?: () => Record<string, ColumnType> | undefined;
  tee?: BatchTee;
}

/**
 * Stages an extract's single source file as it is (a copy) and hands on the records read from the
 * copy, so the staged output is exactly what was read; `--step` and `--resume` read the copy again.
 */
export async function stageFileCopy(store: StagingStore, runId: string, stepId: string, source: SingleFileSource, options: StageOptions = {}): Promise<StepOutputMeta> {
  let rows = 0;
  if (options.tee && options.columns) options.tee.setColumns(options.columns);
  await store.remove(metaKey(runId, stepId));
  const key = dataKey(runId, stepId, source.format);
  await store.copyFile(key, source.path);
  for await (const batch of readRecordBatches(await store.read(key), source.format, source.csv, source.shown)) {
    options.signal?.throwIfAborted();
    if (batch.length === 0) continue;
    const seen = options.observe?.(batch);
    if (seen) await seen;
    rows += batch.length;
    options.onBatch?.(batch.length);
    if (options.tee) await options.tee.push(batch);
  }
  const meta: StepOutputMeta = { rows, format: source.format, ...(source.csv ? { csv: source.csv } : {}) };
  await store.write(metaKey(runId, stepId), single(JSON.stringify(meta)));
  return meta;
}

/**
 * A batch as staged rows. Most batches are written straight to UTF-8 (`encodeBytes`); the others
 * as text, whose data lines, when they are COPY text, are encoded to UTF-8 here once. Either way
 * the same bytes go to the file and, through `rowsTextOf`, to a PostgreSQL load's COPY.
 */
function* encodedBatch(encoder: RowsEncoder, batch: DataRecord[]): Generator<string | Uint8Array> {
  const bytes = encoder.encodeBytes(batch);
  if (bytes !== undefined) {
    yield bytes;
    return;
  }
  const text = encoder.encode(batch);
  const rows = rowsTextOf(batch);
  if (rows?.tags !== 0) {
    yield text;
    return;
  }
  rows.bytes = Buffer.from(rows.lines, "utf8");
  if (text.length > rows.lines.length) yield text.slice(0, text.length - rows.lines.length);
  yield rows.bytes;
}

/** Staged rows, a chunk or two per batch (~60 KB for a thousand records). */
async function* rowChunks(batches: AsyncIterable<DataRecord[]>, onBatch: (rows: number) => void, options: StageOptions): AsyncGenerator<string | Uint8Array> {
  const { signal, tee, observe } = options;
  const encoder = new RowsEncoder();
  for await (const batch of batches) {
    signal?.throwIfAborted();
    if (batch.length === 0) continue;
    const seen = observe?.(batch);
    if (seen) await seen;
    // Encoded before the hand-over: the consumer may change its records in place (cast).
    yield* encodedBatch(encoder, batch);
    onBatch(batch.length);
    if (tee) await tee.push(batch);
  }
}

export async function writeStepOutput(
  store: StagingStore,
  runId: string,
  stepId: string,
  batches: AsyncIterable<DataRecord[]>,
  options: StageOptions = {},
): Promise<StepOutputMeta> {
  let rows = 0;
  const count = (n: number) => {
    rows += n;
    options.onBatch?.(n);
  };
  if (options.tee && options.columns) options.tee.setColumns(options.columns);
  await store.remove(metaKey(runId, stepId));
  await store.write(dataKey(runId, stepId, "rows"), rowChunks(batches, count, options));
  const columns = options.columns?.();
  const meta: StepOutputMeta = { rows, ...(columns && Object.keys(columns).length > 0 ? { columns } : {}), format: "rows" };
  await store.write(metaKey(runId, stepId), single(JSON.stringify(meta)));
  return meta;
}

async function readText(store: StagingStore, key: string): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of await store.read(key)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

function missingOutput(stepId: string, runId: string, where: string): StepError {
  return new StepError("missing-upstream", `step \`${stepId}\` has no staged output in run ${runId} (${where}); run it first, e.g. \`agent-etl run FILE --step ${stepId} --run-id ${runId}\`, or run the whole pipeline`);
}

export async function readStepMeta(store: StagingStore, runId: string, stepId: string): Promise<StepOutputMeta> {
  try {
    return JSON.parse(await readText(store, metaKey(runId, stepId))) as StepOutputMeta;
  } catch (err: unknown) {
    if (err instanceof ConnectorError && err.code === "not-found") throw missingOutput(stepId, runId, store.describe());
    if (err instanceof SyntaxError) throw missingOutput(stepId, runId, store.describe());
    throw err;
  }
}

/** The staged records of a step, in batches; fails with a clear message when the step has not run in this run. */
export async function readStepOutput(store: StagingStore, runId: string, stepId: string): Promise<{ meta: StepOutputMeta; batches: AsyncIterable<DataRecord[]> }> {
  const meta = await readStepMeta(store, runId, stepId);
  const source = await store.read(dataKey(runId, stepId, meta.format));
  const where = `staged output of \`${stepId}\``;
  if (meta.format === "rows") return { meta, batches: readRowsBatches(source, where) };
  if (meta.format === undefined) return { meta, batches: readJsonlBatches(source, where) };
  return { meta, batches: readRecordBatches(source, meta.format, meta.csv, where) };
}

export async function readJson<T>(store: StagingStore, key: string): Promise<T | undefined> {
  if (!(await store.exists(key))) return undefined;
  return JSON.parse(await readText(store, key)) as T;
}

export async function writeJson(store: StagingStore, key: string, value: unknown): Promise<void> {
  await store.write(key, single(JSON.stringify(value, null, 2) + "\n"));
}
