/**
 * An optional fast path beside the Connector contract: a connector may also hand out its records
 * in arrays (`batches`), which the runner prefers — one await per thousand records instead of one
 * per record. `records` and `batches` read the same source; a consumer uses exactly one of them.
 */
import type { DataRecord, ExtractResult } from "../types";

export interface BatchedExtractResult extends ExtractResult {
  batches?: AsyncIterable<DataRecord[]>;
}

/** The result's records in arrays, using `batches` when the connector offers them. */
export async function* batchesOf(result: ExtractResult, size = 1000): AsyncGenerator<DataRecord[]> {
  const batched = (result as BatchedExtractResult).batches;
  if (batched) {
    yield* batched;
    return;
  }
  let batch: DataRecord[] = [];
  for await (const record of result.records) {
    batch.push(record);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Records that can also be read in arrays: what the runner hands to `load`. */
export interface BatchedRecords extends AsyncIterable<DataRecord> {
  batches: AsyncIterable<DataRecord[]>;
}

/** Wraps a batch stream so it is both a record stream and (for connectors that look) a batch stream. Read it once. */
export function batchedRecords(batches: AsyncIterable<DataRecord[]>): BatchedRecords {
  return {
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches) yield* batch;
    },
  };
}

/** A record stream in arrays: its own `batches` when it has them, else grouped here. */
export async function* recordBatches(records: AsyncIterable<DataRecord>, size = 1000): AsyncGenerator<DataRecord[]> {
  const batched = (records as Partial<BatchedRecords>).batches;
  if (batched) {
    yield* batched;
    return;
  }
  let batch: DataRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
