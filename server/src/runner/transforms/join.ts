/**
 * `join`: the `with` step's records are read from staging into a hash table keyed on the join
 * columns; this step's records then stream past it. Null keys never match (as in SQL). On a
 * column name clash the left value stays and the right one is kept as `<with>_<column>`.
 */
import { hasOwnKey, ownValue, setOwn } from "../../pipeline/ownKeys";
import type { DataRecord } from "../../sources/types";
import { keyOf } from "./simple";
import type { Batches, Columns, Stage } from "./stage";

export interface JoinSpec {
  with: string;
  on: string | string[] | Record<string, string>;
  how: "inner" | "left";
}

export function joinPairs(on: JoinSpec["on"]): { left: string[]; right: string[] } {
  if (typeof on === "string") return { left: [on], right: [on] };
  if (Array.isArray(on)) return { left: on, right: on };
  return { left: Object.keys(on), right: Object.values(on) };
}

function hasNull(record: DataRecord, columns: readonly string[]): boolean {
  return columns.some((c) => (ownValue(record, c) ?? null) === null);
}

interface RightSide {
  table: Map<string, DataRecord[]>;
  /** Every right column except the join keys, in first-seen order. */
  columns: string[];
}

async function buildRight(right: Batches, keys: string[]): Promise<RightSide> {
  const table = new Map<string, DataRecord[]>();
  const columns = new Set<string>();
  const keySet = new Set(keys);
  for await (const batch of right) {
    for (const r of batch) {
      for (const c of Object.keys(r)) if (!keySet.has(c)) columns.add(c);
      if (hasNull(r, keys)) continue;
      const key = keyOf(r, keys);
      const bucket = table.get(key);
      if (bucket) bucket.push(r);
      else table.set(key, [r]);
    }
  }
  return { table, columns: [...columns] };
}

function merge(left: DataRecord, right: DataRecord | undefined, columns: string[], prefix: string): DataRecord {
  const out: DataRecord = { ...left };
  for (const c of columns) {
    const name = hasOwnKey(left, c) ? `${prefix}_${c}` : c;
    setOwn(out, name, right ? (ownValue(right, c) ?? null) : null);
  }
  return out;
}

export function joinStage(spec: JoinSpec, openRight: () => Promise<Batches>): Stage {
  const { left: leftKeys, right: rightKeys } = joinPairs(spec.on);
  return async function* (input) {
    const right = await buildRight(await openRight(), rightKeys);
    for await (const batch of input) {
      const out: DataRecord[] = [];
      for (const l of batch) {
        const matches = hasNull(l, leftKeys) ? undefined : right.table.get(keyOf(l, leftKeys));
        if (matches) for (const r of matches) out.push(merge(l, r, right.columns, spec.with));
        else if (spec.how === "left") out.push(merge(l, undefined, right.columns, spec.with));
      }
      if (out.length > 0) yield out;
    }
  };
}

/** Column types after the join: the left's, plus the right's non-key columns when both are known. */
export function joinColumns(left: Columns | undefined, right: Columns | undefined, spec: JoinSpec): Columns | undefined {
  if (!left || !right) return left;
  const keys = new Set(joinPairs(spec.on).right);
  const out: Columns = { ...left };
  for (const [c, t] of Object.entries(right)) if (!keys.has(c)) setOwn(out, hasOwnKey(left, c) ? `${spec.with}_${c}` : c, t);
  return out;
}
