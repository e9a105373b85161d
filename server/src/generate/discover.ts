/**
 * Reading a source's metadata for generation: the PostgreSQL catalog, S3 keys and local files
 * grouped into datasets with their columns (from the first bytes of one file each, a Parquet file's
 * footer), and one
 * sample response of an HTTP API. Read-only and bounded.
 */
import { open, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { constants, gunzipSync } from "node:zlib";
import type { Logger } from "pino";
import type { ColumnType } from "../pipeline/model";
import type { PostgresCatalog } from "../sources/analysis/types";
import { DEFAULT_HTTP_OPTIONS, fetchJson } from "../sources/http/fetchJson";
import { joinUrl, httpSecrets, type HttpConnection } from "../sources/http/request";
import { RateLimiter } from "../sources/http/rateLimiter";
import type { S3Connection } from "../sources/s3/client";
import { inferSample } from "../sources/s3/infer";
import { parquetFileColumns } from "../sources/file/analysis";
import { ConnectorError } from "../errors";
import { groupDatasets, type Dataset } from "./datasets";
import { SECRET_PARAM, type Location } from "./location";
import { basicAuthPair } from "../env/scrub";

/** Listing bounds: generation reads metadata, never a whole bucket. */
export const MAX_FILES = 20_000;
const MAX_FOLDERS = 2_000;
const SAMPLE_BYTES = 64 * 1024;

export interface DatasetColumns extends Dataset {
  columns: { name: string; type: ColumnType }[];
  sampledKey: string;
  sampledRecords: number;
}

export async function discoverPostgres(source: Location & { kind: "postgres" }): Promise<PostgresCatalog> {
  // Generation reads every table once, not on an editor's clock: a longer limit than completions use.
  // Loaded on use: every CLI command starts faster without pg and the AWS SDK.
  const { analyzePostgresCatalog } = await import("../sources/postgres/analyze.js");
  return analyzePostgresCatalog({ connection: source.live, connectionName: "source", baseDir: process.cwd(), secrets: source.env.map((e) => e.value), timeoutMs: 60_000 });
}

async function listS3(connection: S3Connection): Promise<{ keys: string[]; truncated: boolean }> {
  const { listS3Folder } = await import("../sources/s3/analyze.js");
  const keys: string[] = [];
  const folders = [""];
  let visited = 0;
  while (folders.length > 0 && keys.length < MAX_FILES && visited < MAX_FOLDERS) {
    const folder = await listS3Folder(connection, folders.shift() as string, 1000);
    visited++;
    keys.push(...folder.objects.filter((o) => !o.key.endsWith("/")).map((o) => o.key));
    folders.push(...folder.prefixes);
  }
  return { keys, truncated: folders.length > 0 || keys.length >= MAX_FILES };
}

export async function discoverS3(source: Location & { kind: "s3" }): Promise<{ datasets: DatasetColumns[]; truncated: boolean }> {
  const connection = source.live as S3Connection;
  const { keys, truncated } = await listS3(connection);
  const datasets: DatasetColumns[] = [];
  for (const dataset of groupDatasets(keys)) {
    const key = dataset.files[0] as string;
    const { inferS3Columns } = await import("../sources/s3/analyze.js");
    const sample = await unlessUnreadable(source, key, () => inferS3Columns(connection, key, { format: dataset.format, bytes: SAMPLE_BYTES }));
    if (!sample) continue;
    datasets.push({ ...dataset, columns: sample.columns, sampledKey: key, sampledRecords: sample.sampledRecords });
  }
  return { datasets, truncated };
}

/**
 * The sample, or undefined with a note when the dataset's data cannot be read as records (e.g. a
 * CSV header naming a column twice): one such file must not stop the pipeline for all the others.
 */
async function unlessUnreadable<T>(source: Location, name: string, sample: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await sample();
  } catch (err: unknown) {
    if (!(err instanceof ConnectorError) || err.code !== "bad-record") throw err;
    source.notes.push(`left out ${name}: ${err.message}`);
    return undefined;
  }
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".")) continue; // .etl/ staging, .git …
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join("/"));
  }
}

async function headOf(path: string): Promise<{ text: string; complete: boolean }> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    const gz = path.toLowerCase().endsWith(".gz");
    const data = gz ? gunzipSync(buffer, { finishFlush: constants.Z_SYNC_FLUSH }) : buffer;
    return { text: data.toString("utf8"), complete: buffer.length >= size };
  } finally {
    await handle.close();
  }
}

export async function discoverFiles(source: Location & { kind: "file" }): Promise<{ datasets: DatasetColumns[]; truncated: boolean }> {
  const paths: string[] = [];
  if (source.file) paths.push(source.file);
  else await walk(source.root, source.root, paths);
  const datasets: DatasetColumns[] = [];
  for (const dataset of groupDatasets(paths)) {
    const path = dataset.files[0] as string;
    if (dataset.format === "parquet") {
      const typed = await unlessUnreadable(source, path, () => parquetFileColumns(join(source.root, path), path));
      if (typed) datasets.push({ ...dataset, columns: typed.columns, sampledKey: path, sampledRecords: typed.sampledRecords });
      continue;
    }
    const head = await headOf(join(source.root, path));
    const sample = await unlessUnreadable(source, path, () => inferSample(head.text, { format: dataset.format, complete: head.complete, where: path }));
    if (!sample) continue;
    datasets.push({ ...dataset, columns: sample.columns, sampledKey: path, sampledRecords: sample.records });
  }
  return { datasets, truncated: paths.length >= MAX_FILES };
}

export interface HttpResponseSample {
  body: unknown;
  headers: Headers;
}

/** One GET of the API URL as given (query included), with the connector's retries. */
export async function sampleHttp(source: Location & { kind: "http" }, logger: Logger, signal: AbortSignal = new AbortController().signal): Promise<HttpResponseSample> {
  const connection = source.live as HttpConnection;
  const url = joinUrl(connection.base_url, source.path);
  const live = new URL(url);
  for (const [k, v] of source.liveQuery) live.searchParams.append(k, v);
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "agent-etl generate" };
  if (connection.auth?.type === "basic") headers.authorization = `Basic ${Buffer.from(basicAuthPair(connection.auth.username, connection.auth.password)).toString("base64")}`;
  // A token given in the URL's query is sent as given: mask it (in every encoding) like a password.
  const queryTokens = [...source.liveQuery].filter(([k]) => SECRET_PARAM.test(k)).map(([, v]) => v);
  const secrets = httpSecrets(connection, [...source.env.map((e) => e.value), ...queryTokens]);
  const response = await fetchJson(
    { url: live, method: "GET", headers },
    { limiter: new RateLimiter(undefined), signal, timeoutMs: 15_000, options: { ...DEFAULT_HTTP_OPTIONS, maxAttempts: 3 }, secrets, logger },
  );
  return { body: response.body, headers: response.headers };
}
