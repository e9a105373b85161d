/** A transform stage maps a stream of record batches to another; column types travel beside it. */
import type { ColumnType } from "../../pipeline/model";
import type { DataRecord } from "../../sources/types";

export type Batches = AsyncIterable<DataRecord[]>;
export type Stage = (input: Batches) => Batches;
export type Columns = Record<string, ColumnType>;

/** A stage from a per-batch function (sync or async). */
export function mapBatches(fn: (batch: DataRecord[]) => DataRecord[] | Promise<DataRecord[]>): Stage {
  return async function* (input) {
    for await (const batch of input) {
      const out = await fn(batch);
      if (out.length > 0) yield out;
    }
  };
}
