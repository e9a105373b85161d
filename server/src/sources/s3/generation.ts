/** `agent-etl generate` from or into an S3 prefix: `s3://bucket/prefix?endpoint=…&region=…&force_path_style=true`. */
import { UsageError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { groupDatasets } from "../datasets";
import { MAX_FILES, SAMPLE_BYTES, unlessUnreadable, type DatasetColumns, type Discovered, type Location } from "../generation";
import type { S3Connection } from "./client";

const MAX_FOLDERS = 2_000;

/** The bucket and prefix a URL names; credentials come from the AWS default chain, never from the file. */
export function locateS3(text: string): Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${JSON.stringify(scrubSecrets(text))} is not an S3 URL; write s3://bucket/prefix`);
  }
  const bucket = url.hostname;
  if (!bucket) throw new UsageError(`${JSON.stringify(text)} names no bucket; write s3://bucket/prefix`);
  let prefix = decodeURIComponent(url.pathname.replace(/^\/+/, ""));
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
  const conn: S3Connection = { type: "s3", bucket };
  const region = url.searchParams.get("region");
  const endpoint = url.searchParams.get("endpoint");
  const pathStyle = url.searchParams.get("force_path_style");
  if (region) conn.region = region;
  if (endpoint) conn.endpoint = endpoint;
  if (pathStyle !== null) conn.force_path_style = pathStyle === "" || pathStyle === "true" || pathStyle === "1";
  if (prefix) conn.prefix = prefix;
  const notes = ["S3 credentials come from the AWS default chain: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) where the pipeline runs"];
  return { type: "s3", label: bucket, what: `the S3 bucket ${bucket}`, live: conn, written: { ...conn }, env: [], notes, discover: () => discoverS3(conn, notes) };
}

async function listS3(connection: S3Connection): Promise<{ keys: string[]; truncated: boolean }> {
  const { listS3Folder } = await import("./analyze.js");
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

/** The prefix's objects grouped into datasets, each with the columns of its first object's first bytes. */
async function discoverS3(connection: S3Connection, notes: string[]): Promise<Discovered> {
  const { keys, truncated } = await listS3(connection);
  const datasets: DatasetColumns[] = [];
  for (const dataset of groupDatasets(keys)) {
    const key = dataset.files[0] as string;
    const { inferS3Columns } = await import("./analyze.js");
    const sample = await unlessUnreadable(notes, key, () => inferS3Columns(connection, key, { format: dataset.format, bytes: SAMPLE_BYTES }));
    if (!sample) continue;
    datasets.push({ ...dataset, columns: sample.columns, sampledKey: key, sampledRecords: sample.sampledRecords });
  }
  return { shape: "datasets", datasets, truncated };
}
