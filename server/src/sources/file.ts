/**
 * The `file` connector: CSV/JSONL/JSON/Parquet files under the connection's `root`. Paths (and globs) are
 * confined to the root: `../` escapes and symlinks that lead out of it are refused. Loads write a
 * temporary file beside the target and rename it, so a failed or killed load changes nothing.
 */
import { createReadStream } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import picomatch from "picomatch";
import { ConnectorError } from "../errors";
import { renderTemplate } from "../pipeline/templates";
import type { ColumnType } from "../pipeline/model";
import { formatFor, readRecordBatches, writeRecords } from "./formats";
import { batchedRecords, recordBatches, type BatchedExtractResult } from "./formats/batches";
import { openFileRanges, readParquetBatches } from "./formats/parquetRead";
import { addColumns } from "./formats/parquetTypes";
import { newerThan, partitionColumns, withColumns, type PartitionColumns } from "./partitions";
import type { Connector, DataRecord, ExtractRequest, ExtractResult, LoadRequest, LoadResult, SingleFileSource, SourceVersion } from "./types";
import { writeFileAtomic } from "./file/atomicWrite";
import { confinePath, fileRoot, isInside } from "./file/root";

/** The real path of `path`: symlinks resolved in its nearest existing ancestor, the rest appended. */
async function realish(path: string): Promise<string> {
  const rest: string[] = [];
  let probe = path;
  for (;;) {
    const real = await realpath(probe).catch(() => undefined);
    if (real !== undefined) return join(real, ...rest.reverse());
    const parent = dirname(probe);
    if (parent === probe) return path;
    rest.push(basename(probe));
    probe = parent;
  }
}

/** `path` must stay inside `root` once symlinks are followed (no escapes through links). */
async function checkRealPath(root: string, path: string, shown: string, connectionName: string): Promise<void> {
  const [realRoot, real] = await Promise.all([realish(root), realish(path)]);
  if (!isInside(realRoot, real)) {
    throw new ConnectorError("path-outside-root", `path \`${shown}\` goes through a symbolic link that leads out of the root of connection \`${connectionName}\` (${root}); symlinks out of the root are refused`);
  }
}

/** Files under `dir` (recursively), skipping symlinked folders; paths relative to `root` with `/`. */
async function walk(root: string, dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(relative(root, full).split(sep).join("/"));
  }
}

/** The files a path or glob names, sorted; each confined to the root. */
export async function matchFiles(root: string, pattern: string, connectionName = "file"): Promise<string[]> {
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) {
    const full = confinePath(root, pattern, connectionName);
    await checkRealPath(root, full, pattern, connectionName);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw new ConnectorError("not-found", `file \`${pattern}\` does not exist under ${root} (connection \`${connectionName}\`); check the step's \`path\``);
    if (!info.isFile()) throw new ConnectorError("not-found", `\`${pattern}\` under ${root} is not a file`);
    return [full];
  }
  const base = confinePath(root, scan.base || ".", connectionName);
  await checkRealPath(root, base, pattern, connectionName);
  const relPattern = relative(root, resolve(root, pattern)).split(sep).join("/");
  const isMatch = picomatch(relPattern, { dot: false });
  const found: string[] = [];
  await walk(root, base, found);
  const matches = found.filter((f) => isMatch(f)).sort();
  if (matches.length === 0) throw new ConnectorError("not-found", `no file under ${root} matches \`${pattern}\` (connection \`${connectionName}\`); check the step's \`path\``);
  const files: string[] = [];
  for (const m of matches) {
    const full = confinePath(root, m, connectionName);
    await checkRealPath(root, full, m, connectionName);
    files.push(full);
  }
  return files;
}


/** An extract's root folder and its rendered path pattern. */
function extractPattern(request: ExtractRequest): { root: string; pattern: string } {
  return { root: fileRoot(request.connection, request.baseDir), pattern: renderTemplate(requirePath(request.extract.path, "extract"), request.templates) };
}

/** A file as messages name it: relative to the connection's root. */
const shownPath = (root: string, file: string) => relative(root, file) || basename(file);

/** A Parquet file's batches, read by row group; its columns' types go to `typed`. */
async function* parquetFileBatches(file: string, shown: string, typed: { columns?: Record<string, ColumnType> }): AsyncGenerator<DataRecord[]> {
  const ranges = await openFileRanges(file);
  try {
    yield* readParquetBatches(ranges, shown, (columns) => addColumns(typed, columns));
  } finally {
    await ranges.close();
  }
}

async function* filesBatches(files: string[], request: ExtractRequest, root: string, typed: { columns?: Record<string, ColumnType> }, partitions?: PartitionColumns): AsyncGenerator<DataRecord[]> {
  const { extract, signal } = request;
  for (const file of files) {
    const shown = shownPath(root, file);
    const format = formatFor(file, extract.format);
    if (format === "parquet") {
      yield* withColumns(parquetFileBatches(file, shown, typed), partitions?.byKey.get(shown));
      continue;
    }
    const stream = createReadStream(file, { signal, highWaterMark: 256 * 1024 });
    yield* withColumns(readRecordBatches(stream, format, extract.csv, shown, request.onBadLine), partitions?.byKey.get(shown));
  }
}

/** The files an incremental extract reads (none matching yet is no error: its folder may start empty), and the mark they end at. */
async function incrementalFiles(request: ExtractRequest, root: string, pattern: string): Promise<{ files: string[]; mark?: string }> {
  const matched = await matchFiles(root, pattern, request.connectionName).catch((err: unknown) => {
    if (err instanceof ConnectorError && err.code === "not-found") return [] as string[];
    throw err;
  });
  const candidates = await Promise.all(matched.map(async (file) => ({ key: shownPath(root, file), file, modified: (await stat(file)).mtime })));
  const chosen = newerThan(request.extract, candidates, request.highWater ?? request.extract.incremental?.initial);
  return { files: chosen.read.map((c) => c.file), ...(chosen.mark !== undefined ? { mark: chosen.mark } : {}) };
}

async function* flatten(batches: AsyncIterable<DataRecord[]>): AsyncGenerator<DataRecord> {
  for await (const batch of batches) yield* batch;
}

async function extractFiles(request: ExtractRequest): Promise<ExtractResult> {
  const { root, pattern } = extractPattern(request);
  const incremental = request.extract.incremental?.by !== undefined;
  const { files, mark } = incremental ? await incrementalFiles(request, root, pattern) : { files: await matchFiles(root, pattern, request.connectionName), mark: undefined };
  request.logger.debug({ files: files.length, pattern }, "file extract");
  const relPattern = relative(root, resolve(root, pattern)).split(sep).join("/");
  const partitions = partitionColumns(request.extract, relPattern, files.map((f) => shownPath(root, f)));
  // Parquet files say their column types once their footers are read; a file's own column wins over a partition's.
  const typed: { columns?: Record<string, ColumnType> } = {};
  const batches = filesBatches(files, request, root, typed, partitions);
  const result: BatchedExtractResult = {
    records: flatten(batches),
    batches,
    get columns() {
      return partitions || typed.columns ? { ...partitions?.types, ...typed.columns } : undefined;
    },
    ...(incremental ? { highWater: () => mark } : {}),
  };
  return result;
}

function requirePath(path: string | undefined, kind: string): string {
  if (path === undefined || path.trim() === "") throw new ConnectorError("bad-step", `a file ${kind} needs \`path\`; add \`path: data/orders.csv\` (relative to the connection's root)`);
  return path;
}

async function* counted(records: AsyncIterable<DataRecord>, counter: { rows: number }): AsyncGenerator<DataRecord[]> {
  for await (const batch of recordBatches(records)) {
    counter.rows += batch.length;
    yield batch;
  }
}

async function loadFile(request: LoadRequest): Promise<LoadResult> {
  const root = fileRoot(request.connection, request.baseDir);
  const path = renderTemplate(requirePath(request.load.path, "load"), request.templates);
  const target = confinePath(root, path, request.connectionName);
  await checkRealPath(root, target, path, request.connectionName);
  const format = formatFor(target, request.load.format);
  const counter = { rows: 0 };
  const parquet = { ...(request.columns ? { columns: request.columns } : {}), ...(request.load.compression ? { compression: request.load.compression } : {}) };
  await writeFileAtomic(target, writeRecords(batchedRecords(counted(request.records, counter)), format, undefined, parquet), request.signal);
  return { rows: counter.rows };
}

/**
 * The one file an extract reads, when its path is not a glob: staging keeps a copy of it as the
 * step's output. Not a Parquet file: it is read by ranges, and staged as rows with its column types.
 */
async function singleFile(request: ExtractRequest): Promise<SingleFileSource | undefined> {
  const { root, pattern } = extractPattern(request);
  if (picomatch.scan(pattern).isGlob) return undefined;
  const [file] = await matchFiles(root, pattern, request.connectionName);
  if (file === undefined) return undefined;
  const format = formatFor(file, request.extract.format);
  if (format === "parquet") return undefined;
  return { path: file, shown: shownPath(root, file), format, ...(request.extract.csv ? { csv: request.extract.csv } : {}) };
}

/** Each file the extract reads: its size and modification time (none when nothing matches now). */
async function sourceVersion(request: ExtractRequest): Promise<SourceVersion> {
  const { root, pattern } = extractPattern(request);
  const files = await matchFiles(root, pattern, request.connectionName).catch(() => [] as string[]);
  const items: SourceVersion["items"] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (info) items.push({ name: shownPath(root, file), size: info.size, version: `modified ${info.mtime.toISOString()} (${info.mtimeMs})` });
  }
  return { items };
}

export const fileConnector: Connector = {
  type: "file",
  extract: extractFiles,
  load: loadFile,
  singleFile,
  sourceVersion,
};
