/** Shared pieces of the S3 integration tests: a source context, object seeding, collecting. */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import pino from "pino";
import type { Connection } from "../../../server/src/pipeline/model";
import type { DataRecord, SourceContext } from "../../../server/src/sources/types";
import type { TestS3 } from "../../support/s3";

export const TEMPLATES = { ds: "2024-01-02", ds_nodash: "20240102", ts: "2024-01-02T00:00:00+00:00", ts_nodash: "20240102T000000", run_id: "run-1", params: { region: "eu" } };

/** A source context as the runner would build it for this connection. */
export function context(connection: Record<string, unknown>, secrets: string[] = [], signal = new AbortController().signal): SourceContext {
  return {
    connection: connection as unknown as Connection,
    connectionName: "lake",
    baseDir: process.cwd(),
    templates: TEMPLATES,
    signal,
    logger: pino({ level: "silent" }),
    secrets,
  };
}

/** Puts objects, a few at a time. */
export async function putObjects(s3: TestS3, bucket: string, objects: Array<[key: string, body: string | Uint8Array]>, concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const [key, body] = objects[next++]!;
      const length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: length }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export async function* fromArray(records: DataRecord[]): AsyncGenerator<DataRecord> {
  yield* records;
}

/** The bytes of an async iterable of chunks. */
export async function bytesOf(chunks: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(typeof c === "string" ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(parts);
}
