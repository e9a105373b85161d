/**
 * Object I/O shared by the connector and the staging store: streaming GET (errors mid-stream
 * are classified too), ranged GET, all-or-nothing upload (one PUT for small bodies, a multipart
 * upload that is aborted on any failure for large ones), HEAD and DELETE, and a conditional
 * read-modify-write of small objects.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, Upload } from "./sdk";
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { ConnectorError } from "../../errors";
import { classifyS3Error, isNotFound, s3ErrorCode, s3HttpStatus } from "./errors";
import { errorContext, fullKey, s3Call, s3Url, type S3Target } from "./client";

/** Multipart part size: S3's minimum is 5 MiB; 8 MiB keeps part counts low and memory bounded. */
export const PART_SIZE = 8 * 1024 * 1024;
/** Parts uploaded at once (memory ≈ PART_SIZE × (QUEUE_SIZE + 1)). */
const QUEUE_SIZE = 2;

/** An opened GET: its bytes, and a way to let go of them unread. */
export interface OpenedObject {
  bytes: AsyncIterable<Uint8Array>;
  discard(): void;
}

/** Opens a GET (the request is sent; the body is not read yet). Rejects with `not-found` when absent. */
export async function openObject(target: S3Target, key: string, signal?: AbortSignal): Promise<OpenedObject> {
  const action = `reading ${s3Url(target, key)}`;
  const out = await s3Call(target, action, () =>
    target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key) }), { abortSignal: signal }),
  );
  const body = out.Body as (Readable & AsyncIterable<Uint8Array>) | undefined;
  if (!body) return { bytes: (async function* () {})(), discard: () => undefined };
  return { bytes: classifyStream(target, action, body), discard: () => body.destroy() };
}

/** Streams an object's bytes. Rejects with code `not-found` when it is absent. */
export async function getObjectStream(target: S3Target, key: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
  return (await openObject(target, key, signal)).bytes;
}

async function* classifyStream(target: S3Target, action: string, body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (err: unknown) {
    throw classifyS3Error(err, errorContext(target, action));
  }
}

/** The first `bytes` bytes of an object (a ranged GET; never the whole object). */
export async function getObjectHead(target: S3Target, key: string, bytes: number, signal?: AbortSignal): Promise<{ data: Buffer; size?: number }> {
  const action = `reading the start of ${s3Url(target, key)}`;
  let out;
  try {
    out = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key), Range: `bytes=0-${bytes - 1}` }), { abortSignal: signal });
  } catch (err: unknown) {
    if (s3ErrorCode(err) === "InvalidRange") return { data: Buffer.alloc(0), size: 0 }; // an empty object
    throw classifyS3Error(err, errorContext(target, action));
  }
  const data = out.Body ? Buffer.from(await s3Call(target, action, () => out.Body!.transformToByteArray())) : Buffer.alloc(0);
  const total = /\/(\d+)$/.exec(out.ContentRange ?? "")?.[1];
  const result: { data: Buffer; size?: number } = { data };
  if (total) result.size = Number(total);
  else if (out.ContentLength !== undefined) result.size = out.ContentLength;
  return result;
}

/** Bytes `[start, end)` of an object (a ranged GET). */
export async function getObjectRange(target: S3Target, key: string, start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
  const action = `reading bytes ${start}–${end} of ${s3Url(target, key)}`;
  return s3Call(target, action, async () => {
    const out = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key), Range: `bytes=${start}-${end - 1}` }), { abortSignal: signal });
    return out.Body ? out.Body.transformToByteArray() : new Uint8Array(0);
  });
}

/** The last `bytes` bytes of an object and its size, in one GET (a suffix range): where a Parquet file keeps its footer. */
export async function getObjectTail(target: S3Target, key: string, bytes: number, signal?: AbortSignal): Promise<{ data: Uint8Array; size: number }> {
  const action = `reading the end of ${s3Url(target, key)}`;
  let out;
  try {
    out = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key), Range: `bytes=-${bytes}` }), { abortSignal: signal });
  } catch (err: unknown) {
    if (s3ErrorCode(err) === "InvalidRange") return { data: new Uint8Array(0), size: 0 }; // an empty object
    throw classifyS3Error(err, errorContext(target, action));
  }
  const data = out.Body ? await s3Call(target, action, () => out.Body!.transformToByteArray()) : new Uint8Array(0);
  const total = /\/(\d+)$/.exec(out.ContentRange ?? "")?.[1];
  return { data, size: total ? Number(total) : data.length };
}

/** Where a body's own failure is kept, so it is rethrown as itself, not as an S3 error. */
interface SourceFailure {
  failed: boolean;
  error?: unknown;
}

async function* asBuffers(body: AsyncIterable<Uint8Array | string>, failure: SourceFailure, signal?: AbortSignal): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) {
      // Failing the body (rather than Upload.abort()) makes Upload abort its multipart upload and
      // wait for that before rejecting: no object, and no parts left behind.
      signal?.throwIfAborted();
      yield typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    signal?.throwIfAborted();
  } catch (err: unknown) {
    failure.failed = true;
    failure.error = err;
    throw err;
  }
}

export interface UploadOptions {
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * Writes an object completely or not at all. S3 makes a PUT or a completed multipart upload
 * visible atomically, so a failure at any point leaves the previous object (or none).
 */
export async function uploadObject(target: S3Target, key: string, body: AsyncIterable<Uint8Array | string>, options: UploadOptions = {}): Promise<void> {
  const action = `writing ${s3Url(target, key)}`;
  const failure: SourceFailure = { failed: false };
  const chunks = asBuffers(body, failure, options.signal)[Symbol.asyncIterator]();
  const first = await nextNonEmpty(chunks);
  if (first === undefined) {
    // Upload would send an empty stream without a length (and the SDK warns on the console).
    await s3Call(target, action, () =>
      target.client.send(new PutObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key), Body: new Uint8Array(0), ContentLength: 0, ContentType: options.contentType }), { abortSignal: options.signal }),
    );
    return;
  }
  const rest = { [Symbol.asyncIterator]: () => chunks };
  const upload = new Upload({
    client: target.client,
    params: { Bucket: target.bucket, Key: fullKey(target, key), Body: Readable.from(prepend(first, rest)), ContentType: options.contentType },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  try {
    await upload.done();
  } catch (err: unknown) {
    // The records' own failure (a bad cast upstream, a cancelled run) keeps its code.
    if (failure.failed) throw failure.error;
    throw classifyS3Error(err, errorContext(target, action));
  }
}

async function nextNonEmpty(chunks: AsyncIterator<Buffer>): Promise<Buffer | undefined> {
  for (;;) {
    const next = await chunks.next();
    if (next.done) return undefined;
    if (next.value.length > 0) return next.value;
  }
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* rest;
}

/** Size and ETag of an object, or undefined when it does not exist. */
export async function headObject(target: S3Target, key: string, signal?: AbortSignal): Promise<{ size: number; etag?: string } | undefined> {
  try {
    const out = await target.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key) }), { abortSignal: signal });
    return { size: out.ContentLength ?? 0, ...(out.ETag !== undefined ? { etag: out.ETag } : {}) };
  } catch (err: unknown) {
    if (isNotFound(err)) return undefined;
    throw classifyS3Error(err, errorContext(target, `checking ${s3Url(target, key)}`));
  }
}

export async function deleteObject(target: S3Target, key: string, signal?: AbortSignal): Promise<void> {
  await s3Call(target, `deleting ${s3Url(target, key)}`, () =>
    target.client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key) }), { abortSignal: signal }),
  );
}

/** A small object's text and ETag, or undefined when it does not exist. */
async function getObjectText(target: S3Target, key: string, signal?: AbortSignal): Promise<{ text: string; etag: string } | undefined> {
  const action = `reading ${s3Url(target, key)}`;
  try {
    const out = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key) }), { abortSignal: signal });
    const text = out.Body ? await out.Body.transformToString() : "";
    if (!out.ETag) throw new ConnectorError("s3-error", `${action}: the server sent no ETag, which updating it safely needs`);
    return { text, etag: out.ETag };
  } catch (err: unknown) {
    if (isNotFound(err)) return undefined;
    throw classifyS3Error(err, errorContext(target, action));
  }
}

/** Another writer got there first: 412 (ETag changed, or the object now exists), 409 (a concurrent conditional write), 404 (deleted meanwhile). */
function lostRace(err: unknown, existed: boolean): boolean {
  const status = s3HttpStatus(err);
  return status === 412 || status === 409 || (existed && isNotFound(err));
}

/** Conflicts tolerated before giving up (with the backoff, a minute or so of contention). */
const MAX_UPDATE_ATTEMPTS = 300;

export interface UpdateOptions extends UploadOptions {
  maxAttempts?: number;
}

/**
 * Replaces a small object with `change(current)` only if nobody wrote it since it was read: a
 * conditional PUT (`If-Match` the ETag read, `If-None-Match: *` when it was absent), read again and
 * retried when another writer won. S3 and MinIO honour both conditions.
 */
export async function updateObject(target: S3Target, key: string, change: (current: string | undefined) => string, options: UpdateOptions = {}): Promise<string> {
  const action = `updating ${s3Url(target, key)}`;
  const attempts = options.maxAttempts ?? MAX_UPDATE_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    const current = await getObjectText(target, key, options.signal);
    const next = change(current?.text);
    const condition = current ? { IfMatch: current.etag } : { IfNoneMatch: "*" };
    try {
      await target.client.send(
        new PutObjectCommand({ Bucket: target.bucket, Key: fullKey(target, key), Body: next, ContentType: options.contentType, ...condition }),
        { abortSignal: options.signal },
      );
      return next;
    } catch (err: unknown) {
      if (!lostRace(err, current !== undefined)) throw classifyS3Error(err, errorContext(target, action));
      if (attempt >= attempts) throw new ConnectorError("s3-conflict", `${action} failed: other writers changed it ${attempts} times in a row; retry the step`, true, { cause: err });
    }
    await delay(Math.min(5 * 2 ** attempt, 200) * (0.5 + Math.random()), undefined, options.signal ? { signal: options.signal } : {});
  }
}
