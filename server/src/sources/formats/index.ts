/**
 * Record formats shared by the file and S3 connectors and the runner's staging:
 * `readRecords(stream, format, csv)` and `writeRecords(records, format, options)`. Both stream.
 * Parquet is read by byte ranges, not as a stream (`readParquetBatches` in parquetRead.ts): the
 * text readers here take the text formats only.
 */
import { extname } from "node:path";
import { ConnectorError } from "../../errors";
import type { FILE_FORMATS } from "../../pipeline/model";
import type { DataRecord } from "../types";
import { readCsvBatches, writeCsv, type CsvOptions } from "./csv";
import { readJsonArrayBatches, writeJsonArray } from "./json";
import { readJsonlBatches, writeJsonl } from "./jsonl";
import type { OnBadLine } from "./badLines";
import { writeParquet, type ParquetWriteOptions } from "./parquetWrite";
import type { ByteSource } from "./text";

export type RecordFormat = (typeof FILE_FORMATS)[number];
/** The formats read as a byte stream (all but Parquet). */
export type TextFormat = Exclude<RecordFormat, "parquet">;
export type { CsvOptions } from "./csv";
export type { ByteSource } from "./text";
export type { BadLine, OnBadLine } from "./badLines";

const EXTENSIONS: Record<string, RecordFormat> = { ".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".parquet": "parquet" };

/** The format named in the step, else the one its path's extension implies (`.csv`, `.jsonl`, `.ndjson`, `.json`, `.parquet`; `.gz` is not supported). */
export function formatFor(path: string, explicit?: RecordFormat): RecordFormat {
  if (explicit) return explicit;
  const inferred = EXTENSIONS[extname(path).toLowerCase()];
  if (inferred) return inferred;
  throw new ConnectorError("unknown-format", `cannot tell the format of \`${path}\` from its extension; add \`format: csv\`, \`jsonl\`, \`json\` or \`parquet\` to the step`);
}

/**
 * Reads records in batches (arrays), the cheap way to move millions of rows. `where` names the
 * input in errors. With `onBad`, a CSV or JSON Lines line that does not parse goes there and
 * reading goes on (a JSON array has no lines to skip: its first error still fails).
 */
export function readRecordBatches(source: ByteSource, format: TextFormat, csv?: CsvOptions, where?: string, onBad?: OnBadLine): AsyncIterable<DataRecord[]> {
  if (format === "csv") return readCsvBatches(source, csv, where, onBad);
  if (format === "jsonl") return readJsonlBatches(source, where, onBad);
  return readJsonArrayBatches(source, where);
}

/** Reads records one by one. */
export async function* readRecords(source: ByteSource, format: TextFormat, csv?: CsvOptions, where?: string): AsyncGenerator<DataRecord> {
  for await (const batch of readRecordBatches(source, format, csv, where)) yield* batch;
}

/** Serializes records as chunks (text, or bytes for Parquet: its column types and compression in `parquet`), ready for a file or an upload. */
export function writeRecords(records: AsyncIterable<DataRecord>, format: RecordFormat, csv?: CsvOptions, parquet?: ParquetWriteOptions): AsyncIterable<string | Uint8Array> {
  if (format === "csv") return writeCsv(records, csv);
  if (format === "parquet") return writeParquet(records, parquet);
  if (format === "jsonl") return writeJsonl(records);
  return writeJsonArray(records);
}
