/**
 * S3 analysis (issue 5): adapts `listS3Folder` / `inferS3Columns` (s3/analyze.ts) to the analysis
 * contract. A glob key is sampled through its first matching object, found by listing at most
 * `MAX_GLOB_SCAN` keys under the glob's literal base.
 */
import { ConnectorError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { createS3Target, connectionSecrets, type S3Connection } from "./client";
import { inferS3Columns, listS3Folder } from "./analyze";
import { globBase, isGlob, keyMatcher, listObjects } from "./list";
import { templatesAsGlobs } from "../analysis/templatesGlob";
import { limited } from "../analysis/limits";
import { DEFAULT_FOLDER_LIMIT, folderPrefix, MAX_FOLDER_LIMIT } from "../analysis/folders";
import type { AnalysisRequest, AnalysisResult, AnalyzeContext, DataColumns, FolderListing } from "../analysis/types";

/** Keys looked at to find a glob's first match before giving up. */
const MAX_GLOB_SCAN = 10_000;

function s3Connection(ctx: AnalyzeContext): S3Connection {
  if (ctx.connection.type !== "s3") throw new ConnectorError("analysis-request", `connection \`${ctx.connectionName}\` is ${ctx.connection.type}, not s3`);
  return ctx.connection as S3Connection;
}

async function listFolder(ctx: AnalyzeContext, prefix: string, limit = DEFAULT_FOLDER_LIMIT): Promise<FolderListing> {
  const connection = s3Connection(ctx);
  const folder = folderPrefix(prefix);
  const bounded = Math.min(MAX_FOLDER_LIMIT, Math.max(1, Math.floor(limit)));
  return limited(ctx, `listing ${folder || "the bucket's root"}`, async (signal) => {
    const listed = await listS3Folder(connection, folder, bounded, { connectionName: ctx.connectionName, secrets: ctx.secrets, signal });
    return {
      kind: "folder",
      prefix: folder,
      folders: listed.prefixes,
      files: listed.objects.map((o) => ({ key: o.key, size: o.size, ...(o.lastModified ? { lastModified: o.lastModified.toISOString() } : {}) })),
      truncated: listed.truncated,
    };
  });
}

async function firstMatch(ctx: AnalyzeContext, connection: S3Connection, pattern: string, signal: AbortSignal): Promise<string> {
  const target = createS3Target(connection, ctx.connectionName, ctx.secrets);
  const matches = keyMatcher(pattern);
  let scanned = 0;
  try {
    for await (const obj of listObjects(target, globBase(pattern), { signal })) {
      if (matches(obj.key)) return obj.key;
      if (++scanned >= MAX_GLOB_SCAN) break;
    }
  } finally {
    target.client.destroy();
  }
  const within = scanned >= MAX_GLOB_SCAN ? ` within the first ${MAX_GLOB_SCAN} keys under \`${globBase(pattern)}\`` : "";
  throw new ConnectorError("not-found", scrubSecrets(`no object in bucket \`${connection.bucket}\` matches \`${pattern}\`${within} (connection \`${ctx.connectionName}\`); check the step's \`key\``, connectionSecrets(connection, ctx.secrets)));
}

async function sampleObject(ctx: AnalyzeContext, request: Extract<AnalysisRequest, { kind: "data-columns" }>): Promise<DataColumns> {
  const connection = s3Connection(ctx);
  return limited(ctx, `sampling ${request.key}`, async (signal) => {
    const pattern = templatesAsGlobs(request.key);
    const key = isGlob(pattern) ? await firstMatch(ctx, connection, pattern, signal) : pattern;
    const sampled = await inferS3Columns(connection, key, {
      connectionName: ctx.connectionName,
      secrets: ctx.secrets,
      signal,
      ...(request.format ? { format: request.format } : {}),
      ...(request.csv ? { csv: request.csv } : {}),
    });
    return { kind: "data-columns", key: sampled.key, format: sampled.format, columns: sampled.columns, sampledRecords: sampled.sampledRecords, bytesRead: sampled.bytesRead };
  });
}

export async function analyzeS3(ctx: AnalyzeContext, request: AnalysisRequest): Promise<AnalysisResult> {
  if (request.kind === "folder") return listFolder(ctx, request.prefix, request.limit);
  if (request.kind === "data-columns") return sampleObject(ctx, request);
  throw new ConnectorError("analysis-request", `an s3 connection cannot answer a \`${request.kind}\` analysis`);
}
