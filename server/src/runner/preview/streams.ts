/** Record streams as a preview reads them: capped, through the staged-rows round trip, as plain JSON. */
import type { ColumnType } from "../../pipeline/model";
import { hasOwnKey, setOwn } from "../../pipeline/ownKeys";
import { readRowsBatches, RowsEncoder } from "../../sources/formats/rows";
import type { DataRecord } from "../../sources/types";
import type { Batches } from "../transforms";

/**
 * At most `max` records of `input`. When the consumer asks past them and `input` has more, `onMore`
 * is told and reading stops there; returning early closes `input` (its file or cursor).
 */
export async function* capped(input: Batches, max: number, onMore: () => void): AsyncGenerator<DataRecord[]> {
  let left = max;
  for await (const batch of input) {
    if (batch.length === 0) continue;
    if (left === 0 || batch.length > left) {
      if (left > 0) yield batch.slice(0, left);
      onMore();
      return;
    }
    left -= batch.length;
    yield batch;
  }
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

/**
 * The records as the next step of a run would read them back from staging (`runner/stagedData.ts`):
 * a Date as its JSON text, an absent value absent, a BigInt kept. A preview shows what a run stages.
 * Batch by batch (each with its header), so no batch waits for the next to fill it: a preview
 * computes no more upstream records than its rows need.
 */
export async function* asStaged(batches: Batches, where: string): AsyncGenerator<DataRecord[]> {
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    for await (const decoded of readRowsBatches(once(new RowsEncoder().encode(batch)), where, batch.length)) yield decoded;
  }
}

/**
 * Batches of at most `size` records. A transform then computes little more than the rows a preview
 * shows: its filter and derive expressions run on a slice of a reader's thousand-record batch.
 */
export async function* sliced(input: Batches, size: number): AsyncGenerator<DataRecord[]> {
  for await (const batch of input) {
    if (batch.length <= size) yield batch;
    else for (let i = 0; i < batch.length; i += size) yield batch.slice(i, i + size);
  }
}

/** The first `count` records of `batches`; the stream is closed as soon as they are read. */
export async function take(batches: Batches, count: number): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  if (count <= 0) return out;
  for await (const batch of batches) {
    for (const r of batch) {
      out.push(r);
      if (out.length >= count) return out;
    }
  }
  return out;
}

/**
 * A staged value as plain JSON: an exact integer beyond a double's range (BigInt) as its digits, and
 * NaN or ±Infinity (which JSON cannot hold) as their names, so nothing is silently turned into null.
 */
export function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object") return plainRecord(value as DataRecord);
  return value;
}

export function plainRecord(record: DataRecord): DataRecord {
  const out: DataRecord = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) setOwn(out, k, plainValue(v));
  return out;
}

/** Column names in first-seen order over the rows, then known ones no row had; each with its known type or null. */
export function columnList(rows: readonly DataRecord[], types: Record<string, ColumnType> | undefined): { name: string; type: ColumnType | null }[] {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) names.add(k);
  for (const k of Object.keys(types ?? {})) names.add(k);
  return [...names].map((name) => ({ name, type: types && hasOwnKey(types, name) ? (types[name] as ColumnType) : null }));
}
