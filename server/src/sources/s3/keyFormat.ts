/** The record format of an S3 key: named in the step, else from the extension (`.csv.gz` → gzipped CSV). */
import { ConnectorError } from "../../errors";
import { formatFor, type RecordFormat } from "../formats";

/** Whether a key is gzip-compressed (`.gz`), and the format its extension implies without `.gz`. */
export function keyFormat(key: string, explicit?: RecordFormat): { format: RecordFormat; gzip: boolean } {
  const gzip = /\.gz$/i.test(key);
  const format = formatFor(gzip ? key.slice(0, -3) : key, explicit);
  if (gzip && format === "parquet") {
    throw new ConnectorError("unknown-format", `\`${key}\`: a gzipped Parquet object cannot be read by ranges; Parquet compresses its own columns — name the object without \`.gz\` (a load's \`compression\` chooses the codec)`);
  }
  return { format, gzip };
}
