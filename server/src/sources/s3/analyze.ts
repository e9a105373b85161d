/**
 * Live analysis of an s3 connection (issue 5): the prefixes and keys under a prefix, folder by
 * folder and bounded, and the columns of a CSV/JSONL/JSON object from a ranged GET of its first
 * bytes, of a Parquet object from its footer — never the whole object. Read-only.
 */
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from "./sdk";
import { constants, gunzipSync } from "node:zlib";
import type { RecordFormat } from "../formats";
import { createS3Target, fullKey, relativeKey, s3Call, s3Url, type S3Connection, type S3Target } from "./client";
import { keyFormat } from "./keyFormat";
import { inferSample, type InferredColumn } from "./infer";
import type { S3Object } from "./list";
import { getObjectHead } from "./objects";
import { readParquetFooter } from "../formats/parquetRead";
import { parquetColumnInfo } from "../formats/parquetTypes";
import { objectRanges } from "./parquet";

export interface AnalyzeS3Options {
  connectionName?: string;
  secrets?: readonly string[];
  signal?: AbortSignal;
}

export interface S3Folder {
  /** The folder listed, relative to the connection's prefix (`""` or `raw/2024/`). */
  prefix: string;
  /** Sub-folders, relative to the connection's prefix, each ending in `/`. */
  prefixes: string[];
  objects: S3Object[];
  /** More entries exist than `limit` allowed. */
  truncated: boolean;
}

export interface S3ObjectColumns {
  key: string;
  format: RecordFormat;
  columns: InferredColumn[];
  /** Records the columns were inferred from. */
  sampledRecords: number;
  bytesRead: number;
  /** The object's size, when the server said. */
  size?: number;
}

async function withTarget<T>(connection: S3Connection, options: AnalyzeS3Options, use: (target: S3Target) => Promise<T>): Promise<T> {
  const target = createS3Target(connection, options.connectionName ?? "s3", options.secrets);
  try {
    return await use(target);
  } finally {
    target.client.destroy();
  }
}

/** One folder level under `prefix` (like a file picker): sub-prefixes and objects, at most `limit` entries. */
export async function listS3Folder(connection: S3Connection, prefix = "", limit = 1000, options: AnalyzeS3Options = {}): Promise<S3Folder> {
  return withTarget(connection, options, async (target) => {
    const folder: S3Folder = { prefix, prefixes: [], objects: [], truncated: false };
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await s3Call(target, `listing ${s3Url(target, prefix)}`, () =>
        target.client.send(
          new ListObjectsV2Command({ Bucket: target.bucket, Prefix: fullKey(target, prefix), Delimiter: "/", ContinuationToken: token, MaxKeys: Math.min(1000, limit) }),
          { abortSignal: options.signal },
        ),
      );
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folder.prefixes.push(relativeKey(target, p.Prefix));
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        const obj: S3Object = { key: relativeKey(target, o.Key), size: o.Size ?? 0 };
        if (o.LastModified) obj.lastModified = o.LastModified;
        folder.objects.push(obj);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (folder.prefixes.length + folder.objects.length >= limit) {
        folder.truncated = token !== undefined || folder.prefixes.length + folder.objects.length > limit;
        folder.prefixes = folder.prefixes.slice(0, limit);
        folder.objects = folder.objects.slice(0, Math.max(0, limit - folder.prefixes.length));
        break;
      }
    } while (token);
    return folder;
  });
}

/** A Parquet object's columns, from its footer: a suffix-ranged GET of its last bytes (a second GET when the footer is larger). */
async function parquetObjectColumns(target: S3Target, key: string, signal?: AbortSignal): Promise<S3ObjectColumns> {
  const ranges = await objectRanges(target, key, signal);
  const metadata = await readParquetFooter(ranges, s3Url(target, key));
  return { key, format: "parquet", columns: parquetColumnInfo(metadata), sampledRecords: 0, bytesRead: ranges.fetched(), size: ranges.size };
}

/** Columns and types of an object, from a ranged GET of its first `bytes` bytes (gzip included; Parquet: of its footer). */
export async function inferS3Columns(
  connection: S3Connection,
  key: string,
  options: AnalyzeS3Options & { bytes?: number; format?: RecordFormat; csv?: { delimiter?: string; header?: boolean } } = {},
): Promise<S3ObjectColumns> {
  const { format, gzip } = keyFormat(key, options.format);
  const bytes = options.bytes ?? 64 * 1024;
  if (format === "parquet") return withTarget(connection, options, (target) => parquetObjectColumns(target, key, options.signal));
  return withTarget(connection, options, async (target) => {
    const head = await getObjectHead(target, key, bytes, options.signal);
    const whole = head.size !== undefined && head.data.length >= head.size;
    // A cut gzip stream inflates as far as it goes with a sync flush instead of failing.
    const data = gzip ? gunzipSync(head.data, { finishFlush: constants.Z_SYNC_FLUSH }) : head.data;
    const where = s3Url(target, key);
    const sampleOptions = options.csv ? { format, complete: whole, where, csv: options.csv } : { format, complete: whole, where };
    const sample = inferSample(data.toString("utf8"), sampleOptions);
    const result: S3ObjectColumns = { key, format, columns: sample.columns, sampledRecords: sample.records, bytesRead: head.data.length };
    if (head.size !== undefined) result.size = head.size;
    return result;
  });
}
