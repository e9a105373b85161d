/**
 * Listing with ListObjectsV2 continuation (S3 returns at most 1,000 keys a page) and glob
 * matching over keys: `*` stays within one `/` segment, `**` crosses them (picomatch).
 */
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from "./sdk";
import picomatch from "picomatch";
import { fullKey, relativeKey, s3Call, s3Url, type S3Target } from "./client";

export interface S3Object {
  /** Key relative to the connection's prefix. */
  key: string;
  size: number;
  lastModified?: Date;
  etag?: string;
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Keys per request (S3 caps it at 1,000). */
  pageSize?: number;
}

/** Every object under a prefix (relative to the connection's prefix), page by page, in key order. */
export async function* listObjects(target: S3Target, prefix: string, options: ListOptions = {}): AsyncGenerator<S3Object> {
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3Call(target, `listing ${s3Url(target, prefix)}`, () =>
      target.client.send(
        new ListObjectsV2Command({ Bucket: target.bucket, Prefix: fullKey(target, prefix), ContinuationToken: token, MaxKeys: options.pageSize }),
        { abortSignal: options.signal },
      ),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      const obj: S3Object = { key: relativeKey(target, o.Key), size: o.Size ?? 0 };
      if (o.LastModified) obj.lastModified = o.LastModified;
      if (o.ETag !== undefined) obj.etag = o.ETag;
      yield obj;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** True when the key has glob characters (`*`, `?`, `[…]`, `{a,b}`). */
export function isGlob(key: string): boolean {
  return picomatch.scan(key).isGlob;
}

/** The literal folder before the first glob character: the prefix to list (`raw/2024/` for `raw/2024/*.csv`). */
export function globBase(pattern: string): string {
  const { base, isGlob: glob } = picomatch.scan(pattern);
  if (!glob) return pattern;
  return base ? `${base}/` : "";
}

/** A matcher for keys relative to the connection's prefix. */
export function keyMatcher(pattern: string): (key: string) => boolean {
  return picomatch(pattern, { dot: true });
}

/** Objects whose keys match a glob, in key order (the listing's order). */
export async function* matchObjects(target: S3Target, pattern: string, options: ListOptions = {}): AsyncGenerator<S3Object> {
  const matches = keyMatcher(pattern);
  for await (const obj of listObjects(target, globBase(pattern), options)) if (matches(obj.key)) yield obj;
}
