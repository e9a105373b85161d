/**
 * The `s3` connector. Extract: every object a key or glob names, in key order, streamed through
 * the shared format readers (`.gz` objects are gunzipped; Parquet objects are read by ranged GETs). Load: the records serialized in the
 * step's format and uploaded all-or-nothing (multipart for large bodies).
 */
import { createGunzip, createGzip, type Gunzip, type Gzip } from "node:zlib";
import { pipeline, Readable } from "node:stream";
import { ConnectorError } from "../../errors";
import type { ColumnType } from "../../pipeline/model";
import { renderTemplate } from "../../pipeline/templates";
import type { BatchedExtractResult } from "../formats/batches";
import { readRecordBatches, writeRecords, type RecordFormat } from "../formats";
import { readParquetBatches } from "../formats/parquetRead";
import { addColumns } from "../formats/parquetTypes";
import { keyFormat } from "./keyFormat";
import { objectRanges } from "./parquet";
import type { Connector, DataRecord, ExtractRequest, LoadRequest, LoadResult, SourceContext, SourceVersion } from "../types";
import { createS3Target, s3Url, type S3Connection, type S3Target } from "./client";
import { isGlob, matchObjects, type S3Object } from "./list";
import { headObject, openObject, uploadObject, type OpenedObject } from "./objects";
import { newerThan, partitionColumns, withColumns, type PartitionColumns } from "../partitions";

/** Where an extract's Parquet objects put their column types. */
type ParquetTyped = { columns?: Record<string, ColumnType> };

const CONTENT_TYPES: Record<RecordFormat, string> = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson", json: "application/json", parquet: "application/vnd.apache.parquet" };

function s3Connection(ctx: SourceContext): S3Connection {
  if (ctx.connection.type !== "s3") throw new ConnectorError("bad-connection", `connection "${ctx.connectionName}" is not an s3 connection`);
  return ctx.connection as S3Connection;
}

/** Targets are cached per resolved connection, so one process shares sockets across steps. */
const targets = new Map<string, S3Target>();

function targetFor(ctx: SourceContext): S3Target {
  const connection = s3Connection(ctx);
  const id = JSON.stringify([ctx.connectionName, connection, ctx.secrets]);
  let target = targets.get(id);
  if (!target) {
    target = createS3Target(connection, ctx.connectionName, ctx.secrets);
    targets.set(id, target);
  }
  return target;
}

function requireKey(key: string | undefined, kind: string, connectionName: string): string {
  if (key === undefined || key.trim() === "") {
    throw new ConnectorError("bad-step", `an s3 ${kind} on connection "${connectionName}" needs \`key\`; add e.g. \`key: raw/orders/{{ ds }}/*.csv\``);
  }
  return key;
}

/** Pipes a source through a transform; an error on either side fails the output (unlike `.pipe`). */
function piped(source: AsyncIterable<Uint8Array | string>, transform: Gzip | Gunzip): AsyncIterable<Uint8Array> {
  return pipeline(Readable.from(source), transform, () => undefined);
}

/** Passes bytes through, keeping the (already classified) S3 error if reading them fails. */
async function* watched(bytes: AsyncIterable<Uint8Array>, failure: { error?: ConnectorError }): AsyncGenerator<Uint8Array> {
  try {
    yield* bytes;
  } catch (err: unknown) {
    if (err instanceof ConnectorError) failure.error = err;
    throw err;
  }
}

/** Objects this small are opened a few at a time ahead of reading (one round trip each, not in series). */
const PREFETCH_MAX_SIZE = 1024 * 1024;
const PREFETCH_DEPTH = 8;

/** Whether an object is Parquet (read by ranged GETs, not opened as a stream). */
function isParquet(object: S3Object, request: ExtractRequest): boolean {
  return keyFormat(object.key, request.extract.format).format === "parquet";
}

async function* objectBatches(target: S3Target, objects: S3Object[], request: ExtractRequest, typed: ParquetTyped, partitions?: PartitionColumns): AsyncGenerator<DataRecord[]> {
  const opened = new Map<number, Promise<OpenedObject>>();
  const open = (i: number) => {
    const promise = openObject(target, objects[i]!.key, request.signal);
    promise.catch(() => undefined); // awaited (and reported) when its turn comes
    opened.set(i, promise);
  };
  const small = (i: number) => objects[i]!.size <= PREFETCH_MAX_SIZE && !isParquet(objects[i]!, request);
  let ahead = 0; // objects[0 .. ahead) have been opened
  let current: OpenedObject | undefined;
  try {
    for (let i = 0; i < objects.length; i++) {
      const key = objects[i]!.key;
      const { format, gzip } = keyFormat(key, request.extract.format);
      if (format === "parquet") {
        if (ahead === i) ahead++;
        const ranges = await objectRanges(target, key, request.signal);
        yield* withColumns(readParquetBatches(ranges, s3Url(target, key), (columns) => addColumns(typed, columns)), partitions?.byKey.get(key));
        continue;
      }
      if (ahead === i) open(ahead++);
      while (ahead < objects.length && ahead - i <= PREFETCH_DEPTH && small(i) && small(ahead)) open(ahead++);
      const object = await opened.get(i)!;
      current = object;
      opened.delete(i);
      const failure: { error?: ConnectorError } = {};
      const bytes = watched(object.bytes, failure);
      const source = gzip ? piped(bytes, createGunzip()) : bytes;
      try {
        yield* withColumns(readRecordBatches(source, format, request.extract.csv, s3Url(target, key), request.onBadLine), partitions?.byKey.get(key));
      } catch (err: unknown) {
        // A reader may wrap a dropped connection as a parse error; the S3 error (transient) wins.
        throw failure.error ?? err;
      }
    }
  } finally {
    current?.discard();
    for (const promise of opened.values()) promise.then((o) => o.discard(), () => undefined);
  }
}

async function* flatten(batches: AsyncIterable<DataRecord[]>): AsyncGenerator<DataRecord> {
  for await (const batch of batches) yield* batch;
}

/** The objects an extract reads: the key itself, or every key matching the glob (key order). */
async function resolveObjects(target: S3Target, pattern: string, signal: AbortSignal): Promise<S3Object[]> {
  if (!isGlob(pattern)) return [{ key: pattern, size: Number.POSITIVE_INFINITY }];
  const objects: S3Object[] = [];
  for await (const obj of matchObjects(target, pattern, { signal })) objects.push(obj);
  if (objects.length === 0) {
    throw new ConnectorError("not-found", `no object in ${s3Url(target, "")} matches \`${pattern}\` (connection "${target.connectionName}"); check the step's \`key\` and the connection's \`prefix\``);
  }
  return objects;
}

/** Every object a key or glob names, listed (with modification times), none being no error: an incremental extract's source may start empty. */
async function listMatching(target: S3Target, pattern: string, signal: AbortSignal): Promise<S3Object[]> {
  const objects: S3Object[] = [];
  for await (const obj of matchObjects(target, pattern, { signal })) objects.push(obj);
  return objects;
}

async function extractS3(request: ExtractRequest): Promise<BatchedExtractResult> {
  const target = targetFor(request);
  const { extract } = request;
  const pattern = renderTemplate(requireKey(extract.key, "extract", request.connectionName), request.templates);
  const incremental = extract.incremental?.by !== undefined;
  const listed = incremental ? await listMatching(target, pattern, request.signal) : await resolveObjects(target, pattern, request.signal);
  const after = request.highWater ?? extract.incremental?.initial;
  const chosen = newerThan(extract, listed.map((o) => ({ ...o, ...(o.lastModified ? { modified: o.lastModified } : {}) })), after);
  const all = chosen.read;
  request.logger.debug({ objects: all.length, listed: listed.length, pattern }, "s3 extract");
  // A preview reads the first object only: its first records are what a run starts with.
  const objects = request.preview ? all.slice(0, 1) : all;
  const partitions = partitionColumns(extract, pattern, objects.map((o) => o.key));
  // Parquet objects say their column types once their footers are read; an object's own column wins over a partition's.
  const typed: ParquetTyped = {};
  const batches = objectBatches(target, objects, request, typed, partitions);
  const skipped = all.length > objects.length ? `read only the first of the ${all.length} objects matching \`${pattern}\` (${s3Url(target, all[0]!.key)})` : undefined;
  return {
    records: flatten(batches),
    batches,
    get columns() {
      return partitions || typed.columns ? { ...partitions?.types, ...typed.columns } : undefined;
    },
    ...(request.preview ? { skipped: () => skipped } : {}),
    ...(incremental ? { highWater: () => chosen.mark } : {}),
  };
}

/** The ETag and size of each object the extract reads (a missing key: none, so it differs from any staged one). */
async function sourceVersion(request: ExtractRequest): Promise<SourceVersion> {
  const target = targetFor(request);
  const pattern = renderTemplate(requireKey(request.extract.key, "extract", request.connectionName), request.templates);
  if (!isGlob(pattern)) {
    const head = await headObject(target, pattern, request.signal);
    return { items: head ? [{ name: pattern, size: head.size, version: `etag ${head.etag ?? "?"}` }] : [] };
  }
  const items: SourceVersion["items"] = [];
  for await (const obj of matchObjects(target, pattern, { signal: request.signal })) items.push({ name: obj.key, size: obj.size, version: `etag ${obj.etag ?? "?"}` });
  return { items };
}

async function* counted(records: AsyncIterable<DataRecord>, counter: { rows: number }): AsyncGenerator<DataRecord> {
  for await (const record of records) {
    counter.rows++;
    yield record;
  }
}

async function loadS3(request: LoadRequest): Promise<LoadResult> {
  const target = targetFor(request);
  const raw = request.load.key;
  if (Array.isArray(raw)) throw new ConnectorError("bad-step", `an s3 load's \`key\` is one object key, not a list (connection "${request.connectionName}"); write e.g. \`key: out/orders.csv\``);
  const key = renderTemplate(requireKey(raw, "load", request.connectionName), request.templates);
  const { format, gzip } = keyFormat(key, request.load.format);
  const counter = { rows: 0 };
  const parquet = { ...(request.columns ? { columns: request.columns } : {}), ...(request.load.compression ? { compression: request.load.compression } : {}) };
  const text = writeRecords(counted(request.records, counter), format, undefined, parquet);
  const body: AsyncIterable<Uint8Array | string> = gzip ? piped(text, createGzip()) : text;
  await uploadObject(target, key, body, { contentType: gzip ? "application/gzip" : CONTENT_TYPES[format], signal: request.signal });
  request.logger.debug({ rows: counter.rows, key: s3Url(target, key) }, "s3 load");
  return { rows: counter.rows };
}

export const s3Connector: Connector = {
  type: "s3",
  extract: extractS3,
  sourceVersion,
  load: loadS3,
  async close() {
    for (const target of targets.values()) target.client.destroy();
    targets.clear();
  },
};
