/** CSV through csv-parse/csv-stringify: quoted fields, embedded newlines, BOM, any one-character delimiter. */
import { Readable } from "node:stream";
import { parse, type Options as ParseOptions } from "csv-parse";
import { stringify } from "csv-stringify/sync";
import { ConnectorError } from "../../errors";
import type { DataRecord } from "../types";
import { recordBatches } from "./batches";
import type { ByteSource } from "./text";

export interface CsvOptions {
  /** Field separator, default `,`. */
  delimiter?: string;
  /** Whether the first line names the columns, default `true`; else columns are `column_1`, `column_2`… */
  header?: boolean;
}

function parserOptions(options: CsvOptions): ParseOptions {
  return {
    bom: true,
    delimiter: options.delimiter ?? ",",
    columns: options.header === false ? false : (names: string[]) => names.map((n) => n.trim()),
    skip_empty_lines: true,
    relax_quotes: false,
  };
}

function isCsvParseError(err: unknown): err is Error {
  const code: unknown = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("CSV_");
}

function toRecord(row: unknown): DataRecord {
  if (!Array.isArray(row)) return row as DataRecord;
  const record: DataRecord = {};
  row.forEach((value, i) => (record[`column_${i + 1}`] = value));
  return record;
}

/**
 * Drains an object-mode stream in batches: every record already parsed is taken at once, so the
 * cost of an await is paid per batch, not per record.
 */
async function* drain(stream: Readable): AsyncGenerator<unknown[]> {
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  stream.on("readable", notify).on("end", notify).on("error", (err: unknown) => {
    failure = err;
    notify();
  });
  for (;;) {
    const batch: unknown[] = [];
    for (let row = stream.read() as unknown; row !== null; row = stream.read() as unknown) batch.push(row);
    if (failure !== undefined) throw failure;
    if (batch.length > 0) yield batch;
    else if (stream.readableEnded) return;
    else await new Promise<void>((resolve) => (wake = resolve));
  }
}

/** Reads CSV as batches of records; values are strings (cast them with a `cast` transform). */
export async function* readCsvBatches(source: ByteSource, options: CsvOptions = {}, where = "CSV input"): AsyncGenerator<DataRecord[]> {
  const input = Readable.from(source, { objectMode: false });
  const parser = input.pipe(parse({ ...parserOptions(options), readableHighWaterMark: 4096 } as ParseOptions));
  input.on("error", (err) => parser.destroy(err));
  try {
    for await (const rows of drain(parser)) yield rows.map(toRecord);
  } catch (err: unknown) {
    // Only csv-parse's own errors (codes `CSV_…`) mean bad data; an error of the byte source (a
    // dropped connection, a cancelled read) passes through unchanged so it can be retried.
    if (!isCsvParseError(err)) throw err;
    throw new ConnectorError("bad-record", `${where}: not valid CSV: ${err.message}`, false, { cause: err });
  } finally {
    parser.destroy();
    input.destroy();
  }
}

export async function* readCsv(source: ByteSource, options?: CsvOptions, where?: string): AsyncGenerator<DataRecord> {
  for await (const batch of readCsvBatches(source, options, where)) yield* batch;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function checkColumns(record: DataRecord, known: Set<string>, n: number): void {
  for (const key in record) {
    if (!known.has(key)) throw new ConnectorError("bad-record", `record ${n} has column \`${key}\` that the first record does not have; CSV columns are fixed by the first record — add a \`select\` transform to fix the columns`);
  }
}

/**
 * Writes CSV with a header row. The columns are those of the first record; a later record with
 * another column fails (streaming cannot go back and widen the header).
 */
export async function* writeCsv(records: AsyncIterable<DataRecord>, options: CsvOptions = {}): AsyncGenerator<string> {
  let columns: string[] | undefined;
  let known = new Set<string>();
  let n = 0;
  for await (const batch of recordBatches(records)) {
    if (batch.length === 0) continue;
    const header = columns === undefined;
    if (!columns) {
      columns = Object.keys(batch[0] as DataRecord);
      known = new Set(columns);
    }
    const cols = columns;
    const rows = batch.map((record) => {
      checkColumns(record, known, ++n);
      return cols.map((c) => cell(record[c]));
    });
    yield stringify(rows, { delimiter: options.delimiter ?? ",", header: header && options.header !== false, columns: cols });
  }
}
