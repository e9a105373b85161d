/**
 * The S3 client of a connection, and its key arithmetic: every key used with a connection is
 * relative to the connection's `prefix`.
 */
import { S3Client, type S3ClientConfig } from "./sdk";
import type { z } from "zod";
import type { S3ConnectionSchema } from "./descriptor";
import { classifyS3Error, type S3ErrorContext } from "./errors";

export type S3Connection = z.output<typeof S3ConnectionSchema>;

/** A connected bucket: the client plus what error messages and key mapping need. */
export interface S3Target {
  client: S3Client;
  bucket: string;
  /** The connection's `prefix` as written (see `prefixBase`). */
  prefix: string;
  connectionName: string;
  endpoint?: string;
  secrets: readonly string[];
}

/** Builds the SDK client: static credentials from the connection, else the AWS default chain. */
function createS3Client(connection: S3Connection): S3Client {
  // We run on Node 20 on purpose (VS Code's own Node); the SDK's multi-line notice about future
  // releases needing Node 22 would land in every run's stderr. A user's explicit setting wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const config: S3ClientConfig = {
    region: connection.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1",
    // The runner retries transient failures with the step's policy; the SDK retries once more
    // for blips inside a single call (throttling, a reset socket).
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  };
  if (connection.endpoint) {
    config.endpoint = connection.endpoint;
    // S3-compatible stores often lack the SDK's newer default CRC checksums.
    config.requestChecksumCalculation = "WHEN_REQUIRED";
    config.responseChecksumValidation = "WHEN_REQUIRED";
  }
  if (connection.force_path_style !== undefined) config.forcePathStyle = connection.force_path_style;
  if (connection.access_key_id && connection.secret_access_key) {
    // `${env:AWS_ACCESS_KEY_ID}` of temporary credentials (SSO, assumed roles) needs their session token too.
    const token = connection.access_key_id === process.env.AWS_ACCESS_KEY_ID ? process.env.AWS_SESSION_TOKEN : undefined;
    config.credentials = { accessKeyId: connection.access_key_id, secretAccessKey: connection.secret_access_key, ...(token ? { sessionToken: token } : {}) };
  }
  return new S3Client(config);
}

/** The secrets to scrub from messages: the caller's plus the connection's own secret key. */
export function connectionSecrets(connection: S3Connection, secrets: readonly string[] = []): string[] {
  return connection.secret_access_key ? [...secrets, connection.secret_access_key] : [...secrets];
}

export function createS3Target(connection: S3Connection, connectionName: string, secrets: readonly string[] = []): S3Target {
  const target: S3Target = {
    client: createS3Client(connection),
    bucket: connection.bucket,
    prefix: connection.prefix ?? "",
    connectionName,
    secrets: connectionSecrets(connection, secrets),
  };
  if (connection.endpoint) target.endpoint = connection.endpoint;
  return target;
}

/** The connection's prefix as a folder: `""` or `raw/` (a `prefix: raw` means the folder `raw/`). */
export function prefixBase(target: S3Target): string {
  const p = target.prefix.replace(/^\/+/, "");
  return !p || p.endsWith("/") ? p : `${p}/`;
}

/** The full object key for a key relative to the connection's prefix (`raw/` + `a.csv`). */
export function fullKey(target: S3Target, key: string): string {
  return prefixBase(target) + key.replace(/^\/+/, "");
}

/** The key relative to the connection's prefix (inverse of `fullKey`). */
export function relativeKey(target: S3Target, key: string): string {
  const base = prefixBase(target);
  return key.startsWith(base) ? key.slice(base.length) : key;
}

/** `s3://bucket/full/key`, for messages and `describe()`. */
export function s3Url(target: S3Target, key: string): string {
  return `s3://${target.bucket}/${fullKey(target, key)}`;
}

export function errorContext(target: S3Target, action: string): S3ErrorContext {
  const ctx: S3ErrorContext = { action, bucket: target.bucket, connectionName: target.connectionName, secrets: target.secrets };
  if (target.endpoint) ctx.endpoint = target.endpoint;
  return ctx;
}

/** Runs one S3 call, turning any failure into a classified `ConnectorError`. */
export async function s3Call<T>(target: S3Target, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err: unknown) {
    throw classifyS3Error(err, errorContext(target, action));
  }
}
