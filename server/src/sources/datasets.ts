/**
 * Files (S3 keys or local paths) grouped into datasets: files directly in the listed folder are
 * one dataset each; files below a sub-folder form one dataset per (folder, format), where
 * partition-like folders (`2024`, `dt=2024-01-01`, `2024-01-01`) fold into a `**` glob.
 */
import { extname } from "node:path";
import type { RecordFormat } from "./formats";

export interface Dataset {
  /** Human name (a folder or file name), before it becomes an identifier. */
  label: string;
  /** The key/path glob, relative to the connection's prefix/root. */
  glob: string;
  format: RecordFormat;
  files: string[];
}

const FORMATS: Record<string, RecordFormat> = { ".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet" };
const PARTITION = /^(\d+|\d{4}-\d{2}(-\d{2})?([T_ ].*)?|[A-Za-z_][\w-]*=.*)$/;

/** `orders.csv.gz` → {format: csv, suffix: .csv.gz}; undefined for files that are not data. */
function dataFormat(path: string): { format: RecordFormat; suffix: string } | undefined {
  const gz = path.toLowerCase().endsWith(".gz");
  const bare = gz ? path.slice(0, -3) : path;
  const ext = extname(bare).toLowerCase();
  const format = FORMATS[ext];
  if (gz && format === "parquet") return undefined; // read by ranges: never gzipped as a whole
  return format ? { format, suffix: `${extname(bare)}${gz ? path.slice(-3) : ""}` } : undefined;
}

function stem(path: string, suffix: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name.slice(0, name.length - suffix.length);
}

/** Groups relative file paths (with `/`) into datasets, in path order. */
export function groupDatasets(paths: readonly string[]): Dataset[] {
  const groups = new Map<string, Dataset>();
  for (const path of [...paths].sort()) {
    const found = dataFormat(path);
    if (!found) continue;
    const parts = path.split("/");
    parts.pop();
    if (parts.length === 0) {
      groups.set(`file:${path}`, { label: stem(path, found.suffix), glob: path, format: found.format, files: [path] });
      continue;
    }
    const cut = parts.findIndex((p, i) => i > 0 && PARTITION.test(p));
    const folder = (cut === -1 ? parts : parts.slice(0, cut)).join("/");
    const deep = cut !== -1;
    const id = `${folder}|${deep}|${found.suffix.toLowerCase()}`;
    const existing = groups.get(id);
    if (existing) existing.files.push(path);
    else groups.set(id, { label: folder.replace(/\//g, "_"), glob: `${folder}/${deep ? "**/" : ""}*${found.suffix}`, format: found.format, files: [path] });
  }
  return [...groups.values()];
}
