/** The record format of an S3 key: named in the step, else from the extension (`.csv.gz` → gzipped CSV). */
import { formatFor, type RecordFormat } from "../formats";

/** Whether a key is gzip-compressed (`.gz`), and the format its extension implies without `.gz`. */
export function keyFormat(key: string, explicit?: RecordFormat): { format: RecordFormat; gzip: boolean } {
  const gzip = /\.gz$/i.test(key);
  return { format: formatFor(gzip ? key.slice(0, -3) : key, explicit), gzip };
}
