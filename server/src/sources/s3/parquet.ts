/**
 * An S3 object as byte ranges for the Parquet reader: one suffix-ranged GET brings its size and its
 * footer together, later reads are ranged GETs (one per row group). Never the whole object at once.
 */
import { FOOTER_FETCH, type ByteRanges } from "../formats/parquetRead";
import type { S3Target } from "./client";
import { getObjectRange, getObjectTail } from "./objects";

/** The object's byte ranges; `fetched` says how many bytes its GETs have brought so far. */
export async function objectRanges(target: S3Target, key: string, signal?: AbortSignal, footer = FOOTER_FETCH): Promise<ByteRanges & { fetched(): number }> {
  const tail = await getObjectTail(target, key, footer, signal);
  const tailStart = tail.size - tail.data.length;
  let fetched = tail.data.length;
  return {
    size: tail.size,
    read: async (start, end) => {
      if (start >= tailStart) return tail.data.subarray(start - tailStart, end - tailStart);
      const bytes = await getObjectRange(target, key, start, end, signal);
      fetched += bytes.length;
      return bytes;
    },
    fetched: () => fetched,
  };
}
