/**
 * File analysis (issue 5): one folder level under the connection's `root` (confined like the file
 * connector: no `../`, no symlinks out of the root, dot files hidden), and the columns of the first
 * file a path or glob matches, inferred from its first 64 KiB (a Parquet file's, read from its footer).
 */
import { open, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { ConnectorError } from "../../errors";
import { matchFiles } from "../file";
import { confinePath, fileRoot } from "./root";
import { formatFor } from "../formats";
import { openFileRanges, readParquetFooter } from "../formats/parquetRead";
import { parquetColumnInfo } from "../formats/parquetTypes";
import { inferSample } from "../s3/infer";
import { limited } from "../analysis/limits";
import { DEFAULT_FOLDER_LIMIT, folderPrefix, MAX_FOLDER_LIMIT } from "../analysis/folders";
import { templatesAsGlobs } from "../analysis/templatesGlob";
import type { AnalysisRequest, AnalysisResult, AnalyzeContext, DataColumns, FolderListing } from "../analysis/types";

const SAMPLE_BYTES = 64 * 1024;

function requireFile(ctx: AnalyzeContext): void {
  if (ctx.connection.type !== "file") throw new ConnectorError("analysis-request", `connection \`${ctx.connectionName}\` is ${ctx.connection.type}, not file`);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

async function realInside(realRoot: string, path: string): Promise<boolean> {
  const real = await realpath(path).catch(() => undefined);
  return real !== undefined && inside(realRoot, real);
}

async function listFileFolder(ctx: AnalyzeContext, prefix: string, limit = DEFAULT_FOLDER_LIMIT): Promise<FolderListing> {
  requireFile(ctx);
  const root = fileRoot(ctx.connection, ctx.baseDir);
  const folder = folderPrefix(prefix);
  const dir = confinePath(root, folder || ".", ctx.connectionName);
  const bounded = Math.min(MAX_FOLDER_LIMIT, Math.max(1, Math.floor(limit)));
  return limited(ctx, `listing ${folder || "the root folder"}`, async () => {
    const realRoot = await realpath(root).catch(() => root);
    if (!(await realInside(realRoot, dir))) {
      throw new ConnectorError("not-found", `folder \`${folder}\` does not exist under ${root} or leads out of it (connection \`${ctx.connectionName}\`)`);
    }
    const names = (await readdir(dir)).filter((n) => !n.startsWith(".")).sort();
    const listing: FolderListing = { kind: "folder", prefix: folder, folders: [], files: [], truncated: names.length > bounded };
    for (const name of names.slice(0, bounded)) {
      const full = join(dir, name);
      if (!(await realInside(realRoot, full))) continue; // a symlink out of the root
      const info = await stat(full).catch(() => undefined);
      if (info?.isDirectory()) listing.folders.push(`${folder}${name}/`);
      else if (info?.isFile()) listing.files.push({ key: `${folder}${name}`, size: info.size, lastModified: info.mtime.toISOString() });
    }
    return listing;
  });
}

async function readHead(path: string, bytes: number): Promise<{ data: Buffer; size: number }> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { data: buffer.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

/** A Parquet file's columns, from its footer (the file's last bytes). */
export async function parquetFileColumns(path: string, shown: string): Promise<Pick<DataColumns, "columns" | "sampledRecords" | "bytesRead">> {
  const ranges = await openFileRanges(path);
  let bytesRead = 0;
  try {
    const metadata = await readParquetFooter({ size: ranges.size, read: (start, end) => ((bytesRead += end - start), ranges.read(start, end)) }, shown);
    return { columns: parquetColumnInfo(metadata), sampledRecords: 0, bytesRead };
  } finally {
    await ranges.close();
  }
}

export async function sampleFile(ctx: AnalyzeContext, request: Extract<AnalysisRequest, { kind: "data-columns" }>): Promise<DataColumns> {
  requireFile(ctx);
  const root = fileRoot(ctx.connection, ctx.baseDir);
  return limited(ctx, `sampling ${request.key}`, async () => {
    const [first] = await matchFiles(root, templatesAsGlobs(request.key), ctx.connectionName);
    if (first === undefined) throw new ConnectorError("not-found", `no file under ${root} matches \`${request.key}\` (connection \`${ctx.connectionName}\`)`);
    const key = relative(root, first).split(sep).join("/");
    const format = formatFor(first, request.format);
    if (format === "parquet") return { kind: "data-columns", key, format, ...(await parquetFileColumns(first, key)) };
    const head = await readHead(first, SAMPLE_BYTES);
    const sample = inferSample(head.data.toString("utf8"), { format, complete: head.data.length >= head.size, where: key, ...(request.csv ? { csv: request.csv } : {}) });
    return { kind: "data-columns", key, format, columns: sample.columns, sampledRecords: sample.records, bytesRead: head.data.length };
  });
}

export async function analyzeFile(ctx: AnalyzeContext, request: AnalysisRequest): Promise<AnalysisResult> {
  if (request.kind === "folder") return listFileFolder(ctx, request.prefix, request.limit);
  if (request.kind === "data-columns") return sampleFile(ctx, request);
  throw new ConnectorError("analysis-request", `a file connection cannot answer a \`${request.kind}\` analysis`);
}
