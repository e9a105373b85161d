/**
 * Parquet DECIMAL(38, s) columns (16-byte two's complement) read back as exact text: values that
 * fit a double's exact range take the reader's fast path, the others BigInts; both sides of the
 * boundary (±2^47 unscaled), zero, negatives and 38-digit values are held to the text written.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readParquetBatches } from "../../../server/src/sources/formats/parquetRead";
import { writeParquet } from "../../../server/src/sources/formats/parquetWrite";

const BOUNDARY = 2n ** 47n;

/** An unscaled value as text with two decimal places. */
function text(unscaled: bigint): string {
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(3, "0");
  return `${unscaled < 0n ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

async function roundTrip(values: string[]): Promise<unknown[]> {
  async function* records() {
    for (const d of values) yield { d };
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of writeParquet(records(), { columns: { d: "decimal" } })) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const ranges = { size: bytes.length, read: async (start: number, end: number) => new Uint8Array(bytes.subarray(start, end)) };
  const out: unknown[] = [];
  for await (const batch of readParquetBatches(ranges, "decimals.parquet")) for (const record of batch) out.push(record["d"]);
  return out;
}

describe("parquet decimals read back", () => {
  it("keeps every digit on both sides of the fast path's range", async () => {
    const unscaled = [0n, 1n, -1n, 12345n, -12345n];
    for (const edge of [BOUNDARY, -BOUNDARY]) for (const d of [-2n, -1n, 0n, 1n]) unscaled.push(edge + d);
    unscaled.push(10n ** 37n - 1n, -(10n ** 37n) + 1n, 2n ** 64n, -(2n ** 64n));
    const values = unscaled.map(text);
    assert.deepEqual(await roundTrip(values), values);
  });
});
