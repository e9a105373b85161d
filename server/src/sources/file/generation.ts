/** `agent-etl generate` from or into a local folder or data file (a path, or a `file://` URL). */
import { existsSync, statSync } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { constants, gunzipSync } from "node:zlib";
import { UsageError } from "../../errors";
import { groupDatasets } from "../datasets";
import { MAX_FILES, SAMPLE_BYTES, unlessUnreadable, type DatasetColumns, type Discovered, type LocateOptions, type Location } from "../generation";
import { inferSample } from "../s3/infer";
import { parquetFileColumns } from "./analysis";

/** The folder a path names (a data file's folder, keeping the file); the written root is relative to the written file. */
export function locateFile(text: string, { role, baseDir, cwd }: LocateOptions): Location {
  const path = /^file:\/\//i.test(text) ? decodeURIComponent(new URL(text).pathname) : text;
  const full = resolve(cwd, path);
  const exists = existsSync(full);
  if (role === "source" && !exists) throw new UsageError(`--from: ${path} does not exist; give a folder or a data file (or the URL of another kind of source)`);
  const isFile = exists && statSync(full).isFile();
  return folder(isFile ? resolve(full, "..") : full, baseDir, isFile ? basename(full) : undefined);
}

/** The folder `root`, written relative to `baseDir` (`./out` stays `./out`). */
export function folder(root: string, baseDir: string, file?: string, writtenRoot?: string): Location {
  const rel = relative(baseDir, root);
  const label = basename(root) || "files";
  const notes: string[] = [];
  return {
    type: "file",
    label,
    what: `the folder ${label}`,
    live: { type: "file", root },
    written: { type: "file", root: writtenRoot ?? (rel === "" ? "." : rel) },
    env: [],
    notes,
    discover: () => discoverFiles(root, file, notes),
  };
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

/** The folder's files (or the one file) grouped into datasets, each with the columns of its first file's first bytes (a Parquet file's footer). */
async function discoverFiles(root: string, file: string | undefined, notes: string[]): Promise<Discovered> {
  const paths: string[] = [];
  if (file) paths.push(file);
  else await walk(root, root, paths);
  const datasets: DatasetColumns[] = [];
  for (const dataset of groupDatasets(paths)) {
    const path = dataset.files[0] as string;
    if (dataset.format === "parquet") {
      const typed = await unlessUnreadable(notes, path, () => parquetFileColumns(join(root, path), path));
      if (typed) datasets.push({ ...dataset, columns: typed.columns, sampledKey: path, sampledRecords: typed.sampledRecords });
      continue;
    }
    const head = await headOf(join(root, path));
    const sample = await unlessUnreadable(notes, path, () => inferSample(head.text, { format: dataset.format, complete: head.complete, where: path }));
    if (!sample) continue;
    datasets.push({ ...dataset, columns: sample.columns, sampledKey: path, sampledRecords: sample.records });
  }
  return { shape: "datasets", datasets, truncated: paths.length >= MAX_FILES };
}
