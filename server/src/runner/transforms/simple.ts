/** select, drop, rename, dedupe, limit: streaming, one batch at a time. */
import { fieldReader, hasOwnKey, isInheritedName, ownValue, setOwn } from "../../pipeline/ownKeys";
import { stringifyJson } from "../../sources/formats/exactJson";
import type { DataRecord } from "../../sources/types";
import { mapBatches, type Columns, type Stage } from "./stage";

export function selectStage(columns: string[]): Stage {
  // Names a record could inherit (`constructor`, `__proto__`…) are read and set as own keys; the usual case keeps the plain loop.
  if (columns.some(isInheritedName)) {
    const readers = columns.map(fieldReader);
    return mapBatches((batch) =>
      batch.map((r) => {
        const out: DataRecord = {};
        for (let i = 0; i < columns.length; i++) setOwn(out, columns[i] as string, (readers[i] as (r: DataRecord) => unknown)(r) ?? null);
        return out;
      }),
    );
  }
  return mapBatches((batch) =>
    batch.map((r) => {
      const out: DataRecord = {};
      for (const c of columns) out[c] = r[c] ?? null;
      return out;
    }),
  );
}

export function dropStage(columns: string[]): Stage {
  return mapBatches((batch) => {
    for (const r of batch) for (const c of columns) delete r[c];
    return batch;
  });
}

export function renameStage(map: Record<string, string>): Stage {
  return mapBatches((batch) =>
    batch.map((r) => {
      const out: DataRecord = {};
      for (const [k, v] of Object.entries(r)) setOwn(out, ownValue(map, k) ?? k, v);
      return out;
    }),
  );
}

/** A stable text key for a list of values ("1" and 1 are the same key; null is its own). */
export function keyOf(record: DataRecord, columns: readonly string[]): string {
  let key = "";
  for (const c of columns) {
    const v = ownValue(record, c);
    key += (v === null || v === undefined ? "\u0000" : typeof v === "object" ? stringifyJson(v) : String(v)) + "\u0001";
  }
  return key;
}

export function dedupeStage(columns: string[]): Stage {
  const seen = new Set<string>();
  return mapBatches((batch) =>
    batch.filter((r) => {
      const key = keyOf(r, columns);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  );
}

export function limitStage(limit: number): Stage {
  return async function* (input) {
    let left = limit;
    if (left <= 0) return;
    for await (const batch of input) {
      if (batch.length >= left) {
        yield batch.slice(0, left);
        return;
      }
      left -= batch.length;
      yield batch;
    }
  };
}

export function selectColumns(columns: Columns | undefined, keep: string[]): Columns | undefined {
  if (!columns) return undefined;
  return Object.fromEntries(keep.flatMap((c) => (hasOwnKey(columns, c) ? [[c, columns[c] as Columns[string]]] : [])));
}

export function dropColumns(columns: Columns | undefined, drop: string[]): Columns | undefined {
  if (!columns) return undefined;
  return Object.fromEntries(Object.entries(columns).filter(([c]) => !drop.includes(c)));
}

export function renameColumns(columns: Columns | undefined, map: Record<string, string>): Columns | undefined {
  if (!columns) return undefined;
  return Object.fromEntries(Object.entries(columns).map(([c, t]) => [ownValue(map, c) ?? c, t]));
}
