/** Records of every column type, as the runner keeps them, and what a Parquet round trip gives back. */
import type { ColumnType } from "../../../server/src/pipeline/model";
import type { DataRecord } from "../../../server/src/sources/types";

export const TYPES: Record<string, ColumnType> = {
  id: "integer",
  big: "integer",
  price: "decimal",
  ratio: "number",
  ok: "boolean",
  day: "date",
  at: "timestamp",
  name: "string",
  doc: "json",
};

export const RECORDS: DataRecord[] = [
  { id: 1, big: 9007199254740993n, price: "12345678901234567890.12", ratio: 0.5, ok: true, day: "2024-02-29", at: "2024-01-31T12:00:00.123456Z", name: 'Zoë "q", ünï', doc: { a: [1, { b: null }], s: "x" } },
  { id: -2, big: -5, price: "-0.5", ratio: -1e-7, ok: false, day: "1969-12-31", at: "1969-12-31T23:59:59.999+00:00", name: "", doc: [1, 2] },
  { id: null, big: null, price: null, ratio: null, ok: null, day: null, at: null, name: null, doc: null },
];

/** The records as they read back: decimals at the column's scale (2), timestamps in UTC as ISO 8601. */
export const READ_BACK: DataRecord[] = [
  { ...RECORDS[0] },
  { ...RECORDS[1], price: "-0.50", at: "1969-12-31T23:59:59.999Z" },
  { ...RECORDS[2] },
];

export async function* fromArray(records: DataRecord[]): AsyncGenerator<DataRecord> {
  yield* records;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
