/**
 * Hive-style partition folders (`dt=2024-01-01/`, `region=eu/`) in S3 keys and file paths, for
 * `partition_columns` (their values become columns of the records) and `incremental: {by:
 * partition}` (only partitions after the last one read). Values are typed by inference over all
 * the objects read: all whole numbers → `integer` (numbers in the records); all `YYYY-MM-DD` →
 * `date` (text in the records, as dates are); else `string`. Partitions order as text, as marks of text do (runner/marks.ts): dates
 * and zero-padded numbers order correctly.
 */
import picomatch from "picomatch";
import { DATE_PATTERN, type ColumnType, type Extract } from "../pipeline/model";
import type { DataRecord } from "./types";

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([^/=]+)$/;

/** The `name=value` folders of a key or path (not its file name), from folder `from` on. */
export function partitionFolders(key: string, from = 0): [string, string][] {
  const folders = key.split("/").slice(0, -1);
  const found: [string, string][] = [];
  for (let i = from; i < folders.length; i++) {
    const m = SEGMENT.exec(folders[i] as string);
    if (m) found.push([m[1] as string, decodeURIComponent(m[2] as string)]);
  }
  return found;
}

/** The partition of a key as a mark: its `name=value` folders joined by `/` ("" when it has none). */
export function partitionMark(key: string): string {
  return partitionFolders(key).map(([n, v]) => `${n}=${v}`).join("/");
}

/** How many folders of a glob are literal (before its first wildcard). */
function literalFolders(pattern: string): number {
  const { base, isGlob } = picomatch.scan(pattern);
  if (!isGlob) return pattern.split("/").length - 1;
  return base === "" ? 0 : base.split("/").length;
}

/** The partition columns of the keys read: their values by key, and their inferred types. */
export interface PartitionColumns {
  byKey: Map<string, DataRecord>;
  types: Record<string, ColumnType>;
}

const DATE = new RegExp(DATE_PATTERN);

function typeOf(values: readonly string[]): ColumnType {
  if (values.every((v) => /^-?\d{1,15}$/.test(v))) return "integer";
  return values.every((v) => DATE.test(v)) ? "date" : "string";
}

/**
 * The partition columns to add to each key's records, or undefined when there are none:
 * `partition_columns: true` takes every partition folder; unset, the folders the glob's wildcards
 * cross; `false`, none.
 */
export function partitionColumns(extract: Extract, pattern: string, keys: readonly string[]): PartitionColumns | undefined {
  if (extract.partition_columns === false) return undefined;
  const from = extract.partition_columns === true ? 0 : literalFolders(pattern);
  const found = keys.map((k) => [k, partitionFolders(k, from)] as const);
  if (found.every(([, f]) => f.length === 0)) return undefined;
  const values = new Map<string, string[]>();
  for (const [, folders] of found) for (const [name, value] of folders) values.set(name, [...(values.get(name) ?? []), value]);
  const types: Record<string, ColumnType> = Object.fromEntries([...values].map(([name, vs]) => [name, typeOf(vs)]));
  const byKey = new Map(found.map(([key, folders]) => [key, Object.fromEntries(folders.map(([name, value]) => [name, types[name] === "integer" ? Number(value) : value]))]));
  return { byKey, types };
}

/** Adds a key's partition columns to its records; a column the file itself has keeps the file's value. */
export async function* withColumns(batches: AsyncIterable<DataRecord[]>, columns: DataRecord | undefined): AsyncGenerator<DataRecord[]> {
  if (columns === undefined || Object.keys(columns).length === 0) {
    yield* batches;
    return;
  }
  for await (const batch of batches) yield batch.map((r) => ({ ...columns, ...r }));
}

/** An object or file an incremental extract may read: its key or path, and when it was last modified. */
export interface Candidate {
  key: string;
  modified?: Date;
}

/**
 * The candidates an incremental extract reads (`by: modified`: modified after `after`; `by:
 * partition`: partition after it), in order, and the mark they end at.
 */
export function newerThan<T extends Candidate>(extract: Extract, all: readonly T[], after: string | number | undefined): { read: T[]; mark?: string } {
  const by = extract.incremental?.by;
  if (by === undefined) return { read: [...all] };
  if (by === "modified") {
    const since = after === undefined ? undefined : Date.parse(String(after));
    const read = all.filter((c) => c.modified !== undefined && (since === undefined || c.modified.getTime() > since));
    const latest = read.reduce<number | undefined>((m, c) => Math.max(m ?? 0, (c.modified as Date).getTime()), undefined);
    return { read, ...(latest !== undefined ? { mark: new Date(latest).toISOString() } : {}) };
  }
  const read = all.filter((c) => after === undefined || partitionMark(c.key) > String(after));
  const latest = read.map((c) => partitionMark(c.key)).reduce<string | undefined>((m, p) => (m === undefined || p > m ? p : m), undefined);
  return { read, ...(latest !== undefined ? { mark: latest } : {}) };
}
