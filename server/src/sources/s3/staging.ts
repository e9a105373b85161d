/**
 * Step outputs kept in S3 (`staging: {connection: <s3>, prefix}`), so steps that run on different
 * Airflow workers can read each other's outputs. Keys are relative to the connection's `prefix`
 * plus the staging `prefix`, e.g. `<prefix>/<run_id>/<step_id>.rows`.
 */
import { createReadStream } from "node:fs";
import type { StagingStore } from "../staging";
import { createS3Target, prefixBase, type S3Connection, type S3Target } from "./client";
import { listObjects } from "./list";
import { deleteObject, getObjectStream, headObject, updateObject, uploadObject } from "./objects";

export interface S3StagingOptions {
  /** The staging `prefix` (a folder inside the connection's own `prefix`). */
  prefix?: string;
  connectionName?: string;
  /** Resolved secrets, scrubbed from error messages. */
  secrets?: readonly string[];
  signal?: AbortSignal;
}

function joinPrefix(...parts: (string | undefined)[]): string {
  const segments = parts.flatMap((p) => (p ?? "").split("/")).filter((s) => s !== "");
  return segments.length > 0 ? `${segments.join("/")}/` : "";
}

export class S3StagingStore implements StagingStore {
  private readonly target: S3Target;
  private readonly signal: AbortSignal | undefined;

  constructor(connection: S3Connection, options: S3StagingOptions = {}) {
    const target = createS3Target(connection, options.connectionName ?? "staging", options.secrets);
    // The staging prefix nests inside the connection's prefix: one target, one key space.
    this.target = { ...target, prefix: joinPrefix(prefixBase(target), options.prefix) };
    this.signal = options.signal;
  }

  describe(): string {
    return `s3://${this.target.bucket}/${this.target.prefix}`;
  }

  async write(key: string, body: AsyncIterable<Uint8Array | string>): Promise<void> {
    const options = this.signal ? { signal: this.signal, contentType: contentType(key) } : { contentType: contentType(key) };
    await uploadObject(this.target, key, body, options);
  }

  async copyFile(key: string, path: string): Promise<void> {
    await this.write(key, createReadStream(path, { highWaterMark: 1 << 20 }));
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    return getObjectStream(this.target, key, this.signal);
  }

  async exists(key: string): Promise<boolean> {
    return (await headObject(this.target, key, this.signal)) !== undefined;
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const obj of listObjects(this.target, prefix, this.signal ? { signal: this.signal } : {})) keys.push(obj.key);
    return keys;
  }

  async remove(key: string): Promise<void> {
    await deleteObject(this.target, key, this.signal);
  }

  update(key: string, change: (current: string | undefined) => string): Promise<string> {
    return updateObject(this.target, key, change, this.signal ? { signal: this.signal, contentType: contentType(key) } : { contentType: contentType(key) });
  }

  /** Releases the client's sockets. */
  close(): void {
    this.target.client.destroy();
  }
}

function contentType(key: string): string {
  if (key.endsWith(".jsonl")) return "application/x-ndjson";
  if (key.endsWith(".json")) return "application/json";
  return "application/octet-stream";
}
