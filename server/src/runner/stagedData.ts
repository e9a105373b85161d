/**
 * Step outputs in the StagingStore: `<run_id>/<step_id>.jsonl` (the records) and
 * `<run_id>/<step_id>.meta.json` (row count and known column types), written in that order, so a
 * meta file means a complete output.
 */
import { ConnectorError, StepError } from "../errors";
import type { ColumnType } from "../pipeline/model";
import { readJsonlBatches, jsonlChunk } from "../sources/formats/jsonl";
import type { StagingStore } from "../sources/staging";
import type { DataRecord } from "../sources/types";

export interface StepOutputMeta {
  rows: number;
  columns?: Record<string, ColumnType>;
}

export const dataKey = (runId: string, stepId: string) => `${runId}/${stepId}.jsonl`;
export const metaKey = (runId: string, stepId: string) => `${runId}/${stepId}.meta.json`;

async function* single(text: string): AsyncGenerator<string> {
  yield text;
}

/** Where a step's batches also go, beside its staged file: its live consumer (`live/channel.ts`). */
export interface BatchTee {
  push(batch: DataRecord[]): Promise<void>;
  setColumns(getter: () => Record<string, ColumnType> | undefined): void;
}

/** Collects text into ~128 KB chunks: large writes, yet short-lived strings (they die young, cheap to collect). */
async function* jsonlChunks(batches: AsyncIterable<DataRecord[]>, onBatch: (rows: number) => void, signal?: AbortSignal, tee?: BatchTee): AsyncGenerator<string> {
  let pending = "";
  for await (const batch of batches) {
    signal?.throwIfAborted();
    if (batch.length === 0) continue;
    // Serialized before the hand-over: the consumer may change its records in place (cast).
    pending += jsonlChunk(batch);
    onBatch(batch.length);
    if (tee) await tee.push(batch);
    if (pending.length >= 1 << 17) {
      yield pending;
      pending = "";
    }
  }
  if (pending.length > 0) yield pending;
}

export async function writeStepOutput(
  store: StagingStore,
  runId: string,
  stepId: string,
  batches: AsyncIterable<DataRecord[]>,
  options: { onBatch?: (rows: number) => void; signal?: AbortSignal; columns?: () => Record<string, ColumnType> | undefined; tee?: BatchTee } = {},
): Promise<StepOutputMeta> {
  let rows = 0;
  const count = (n: number) => {
    rows += n;
    options.onBatch?.(n);
  };
  if (options.tee && options.columns) options.tee.setColumns(options.columns);
  await store.remove(metaKey(runId, stepId));
  await store.write(dataKey(runId, stepId), jsonlChunks(batches, count, options.signal, options.tee));
  const columns = options.columns?.();
  const meta: StepOutputMeta = { rows, ...(columns && Object.keys(columns).length > 0 ? { columns } : {}) };
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
  const source = await store.read(dataKey(runId, stepId));
  return { meta, batches: readJsonlBatches(source, `staged output of \`${stepId}\``) };
}

export async function readJson<T>(store: StagingStore, key: string): Promise<T | undefined> {
  if (!(await store.exists(key))) return undefined;
  return JSON.parse(await readText(store, key)) as T;
}

export async function writeJson(store: StagingStore, key: string, value: unknown): Promise<void> {
  await store.write(key, single(JSON.stringify(value, null, 2) + "\n"));
}
