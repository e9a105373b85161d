/**
 * Reading Parquet with hyparquet (pure JavaScript, reads by byte ranges). A file is read row group
 * by row group: one range read per group (the span of its column chunks), the next one fetched
 * while the current one is decoded, so memory holds about two groups' bytes and one group's
 * columns, never the file. Values come out as the rest of the runner keeps them
 * (docs/pipeline-spec.md, "Numbers"): 64-bit integers as numbers when a double holds them (else
 * BigInts), decimals as exact text, dates as `YYYY-MM-DD`, timestamps as ISO 8601 in UTC
 * (microseconds kept), JSON parsed exactly, nested columns (lists, maps, structs) as JSON values.
 */
import { open } from "node:fs/promises";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { AsyncBuffer, ColumnData, Compressors, FileMetaData, ParquetParsers, SchemaElement } from "hyparquet";
import { parquetMetadataAsync, parquetRead } from "hyparquet";
import { decompressLz4, decompressLz4Raw, decompressZstd } from "hyparquet-compressors";
import { ConnectorError } from "../../errors";
import type { DataRecord } from "../types";
import { parseJson } from "./exactJson";
import { decimalOf, parquetColumns, type ParquetColumn } from "./parquetTypes";

/** Random access to a file or an object: its size and the bytes of a range. */
export interface ByteRanges {
  size: number;
  /** Bytes `[start, end)`. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A local file's byte ranges; `close` lets go of its handle. */
export async function openFileRanges(path: string): Promise<ByteRanges & { close(): Promise<void> }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    return {
      size,
      read: async (start, end) => {
        const bytes = new Uint8Array(end - start);
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
        return bytesRead === bytes.length ? bytes : bytes.subarray(0, bytesRead);
      },
      close: () => handle.close(),
    };
  } catch (err: unknown) {
    await handle.close();
    throw err;
  }
}

/** What is read from the end of a file first, hoping it holds the whole footer (else one more read fetches the rest). */
export const FOOTER_FETCH = 64 * 1024;

const BATCH = 1000;

/** Snappy is hyparquet's own; the others from Node's zlib and hyparquet-compressors. */
const DECOMPRESSORS: Compressors = {
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input),
  ZSTD: (input) => decompressZstd(input),
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};

const INT64_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** `YYYY-MM-DD` of a day count since 1970-01-01. */
function isoDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** ISO 8601 in UTC of microseconds since the epoch: milliseconds as `toISOString` writes them, three more digits when the microseconds are not zero. */
export function isoFromMicros(micros: bigint): string {
  let millis = micros / 1000n;
  if (millis * 1000n > micros) millis -= 1n; // floor, for times before 1970
  const rest = Number(micros - millis * 1000n);
  const iso = new Date(Number(millis)).toISOString();
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, "0")}Z`;
}

const PARSERS: Partial<ParquetParsers> = {
  dateFromDays: isoDate,
  timestampFromMilliseconds: (millis) => isoFromMicros(millis * 1000n),
  timestampFromMicroseconds: isoFromMicros,
  timestampFromNanoseconds: (nanos) => isoFromMicros(nanos >= 0n ? nanos / 1000n : -((-nanos + 999n) / 1000n)),
  jsonFromBytes: (bytes) => (bytes ? parseJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")) : bytes),
};

/** An integer column's value: a number when a double holds it exactly, else a BigInt. */
function exactInteger(v: unknown): unknown {
  return typeof v === "bigint" && v >= -INT64_SAFE && v <= INT64_SAFE ? Number(v) : v;
}

/** Big-endian two's complement bytes as a BigInt. */
function bigIntOfBytes(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes.length > 0 && (bytes[0] as number) >= 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** An unscaled decimal as exact text with `scale` digits after the point (`12345`, 2 → `123.45`). */
export function decimalText(unscaled: bigint | number, scale: number): string {
  if (scale <= 0) return (BigInt(unscaled) * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0;
  const digits = String(negative ? -unscaled : unscaled).padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Bytes of a big-endian two's complement value that a double holds exactly (6 bytes: ±2^47). */
const NUMBER_BYTES = 6;

/**
 * A fixed-length decimal's unscaled value: a number when it fits `NUMBER_BYTES` (the bytes above
 * them only repeat the sign; most values), else a BigInt. BigInt arithmetic per byte is the costly
 * part of reading a DECIMAL(38) column.
 */
function unscaledOfBytes(bytes: Uint8Array): bigint | number {
  const n = bytes.length;
  if (n <= NUMBER_BYTES) return Number(bigIntOfBytes(bytes));
  const low = n - NUMBER_BYTES;
  const sign = (bytes[low] as number) >= 0x80 ? 0xff : 0;
  for (let i = 0; i < low; i++) if (bytes[i] !== sign) return bigIntOfBytes(bytes);
  let v = 0;
  for (let i = low; i < n; i++) v = v * 256 + (bytes[i] as number);
  return sign ? v - 2 ** (8 * NUMBER_BYTES) : v;
}

type Fix = (v: unknown) => unknown;

/** How a decoded column's values become record values (undefined: as they are). */
function fixFor(column: ParquetColumn, element: SchemaElement | undefined): Fix | undefined {
  const decimal = element ? decimalOf(element) : undefined;
  if (decimal && element?.type !== "BYTE_ARRAY") {
    const { scale } = decimal;
    return (v) => (v === null || v === undefined ? null : decimalText(typeof v === "number" || typeof v === "bigint" ? v : unscaledOfBytes(v as Uint8Array), scale));
  }
  // hyparquet scales a BYTE_ARRAY decimal itself, into a double.
  if (decimal) return (v) => (typeof v === "number" ? String(v) : (v ?? null));
  if (column.type === "integer") return exactInteger;
  return undefined;
}

/**
 * The metadata hyparquet decodes with: DECIMAL annotations taken off fixed-length and integer
 * columns, so their unscaled values come out raw (hyparquet would make them doubles, rounding
 * anything past 15 digits) and `fixFor` writes them as exact text.
 */
function decodingMetadata(metadata: FileMetaData): FileMetaData {
  const schema = metadata.schema.map((element) => {
    if (!decimalOf(element) || element.type === "BYTE_ARRAY") return element;
    const { converted_type: _c, logical_type: _l, ...plain } = element;
    return plain;
  });
  return { ...metadata, schema };
}

function badParquet(where: string, err: unknown): ConnectorError {
  const reason = err instanceof Error ? err.message : String(err);
  return new ConnectorError("bad-record", `${where}: not a readable Parquet file (${reason}); check that it is Parquet (\`format: parquet\`, or a \`.parquet\` name) and not cut short`, false, { cause: err });
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

/** hyparquet's view of byte ranges. */
function asyncBufferOf(ranges: ByteRanges): AsyncBuffer {
  return { byteLength: ranges.size, slice: async (start, end = ranges.size) => arrayBufferOf(await ranges.read(start, end)) };
}

/** The file's footer (schema, row groups), from a read of its last `fetch` bytes (and one more when the footer is larger). */
export async function readParquetFooter(ranges: ByteRanges, where: string, fetch = FOOTER_FETCH): Promise<FileMetaData> {
  if (ranges.size < 12) throw badParquet(where, new Error(`${ranges.size} bytes is too short for a Parquet file`));
  try {
    return await parquetMetadataAsync(asyncBufferOf(ranges), { initialFetchSize: fetch, parsers: PARSERS });
  } catch (err: unknown) {
    if (err instanceof ConnectorError) throw err;
    throw badParquet(where, err);
  }
}

/** The byte span of a row group: from its first column chunk's first page to its last chunk's end. */
function groupSpan(metadata: FileMetaData, group: number): [number, number] {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const chunk of metadata.row_groups[group]?.columns ?? []) {
    const meta = chunk.meta_data;
    if (!meta) continue;
    const dictionary = meta.dictionary_page_offset !== undefined && meta.dictionary_page_offset > 0n ? Number(meta.dictionary_page_offset) : Number.POSITIVE_INFINITY;
    const first = Math.min(dictionary, Number(meta.data_page_offset));
    start = Math.min(start, first);
    end = Math.max(end, first + Number(meta.total_compressed_size));
  }
  return start < end ? [start, end] : [0, 0];
}

/** The file as hyparquet reads it for one row group: ranges inside the group's span served from its bytes, any other read passed on. */
function groupBuffer(ranges: ByteRanges, span: [number, number], bytes: Uint8Array): AsyncBuffer {
  const [from, to] = span;
  return {
    byteLength: ranges.size,
    slice: async (start, end = ranges.size) => {
      if (start >= from && end <= to) return bytes.slice(start - from, end - from).buffer as ArrayBuffer;
      return arrayBufferOf(await ranges.read(start, end));
    },
  };
}

type RecordOf = (columns: readonly ArrayLike<unknown>[], i: number) => DataRecord;

/** A function that makes row `i`'s record in one object literal (one shape for all records; see `recordMaker` in csv.ts). Names enter the code only as JSON string literals. */
function recordMaker(names: readonly string[]): RecordOf {
  const fields = names.map((name, i) => `[${JSON.stringify(name)}]: c[${i}][i]`).join(", ");
  return new Function("c", "i", `return { ${fields} };`) as RecordOf;
}

/** One decoded column of a row group, its chunks in row order, as one array. */
function joined(chunks: ColumnData[], rows: number): ArrayLike<unknown> {
  if (chunks.length === 1 && (chunks[0] as ColumnData).columnData.length === rows) return (chunks[0] as ColumnData).columnData;
  const out = new Array<unknown>(rows).fill(null);
  for (const chunk of chunks.sort((a, b) => a.rowStart - b.rowStart)) {
    const data = chunk.columnData;
    for (let i = 0; i < data.length; i++) out[chunk.rowStart - chunks[0]!.rowStart + i] = data[i];
  }
  return out;
}

interface Decoding {
  metadata: FileMetaData;
  names: string[];
  fixes: (Fix | undefined)[];
  make: RecordOf;
}

function decodingOf(metadata: FileMetaData, columns: ParquetColumn[]): Decoding {
  const names = columns.map((c) => c.name);
  // Top-level elements: the root's children, in order (each followed by its own subtree).
  const elements = new Map<string, SchemaElement>();
  for (const element of metadata.schema.slice(1)) if (!elements.has(element.name)) elements.set(element.name, element);
  return { metadata: decodingMetadata(metadata), names, fixes: columns.map((c) => fixFor(c, elements.get(c.name))), make: recordMaker(names) };
}

/** Decodes one row group into its columns (fixed), row `0` being the group's first. */
async function decodeGroup(decoding: Decoding, file: AsyncBuffer, rowStart: number, rows: number): Promise<ArrayLike<unknown>[]> {
  const chunks = new Map<string, ColumnData[]>();
  await parquetRead({
    file,
    metadata: decoding.metadata,
    rowStart,
    rowEnd: rowStart + rows,
    compressors: DECOMPRESSORS,
    parsers: PARSERS,
    onChunk: (chunk) => {
      const list = chunks.get(chunk.columnName);
      if (list) list.push(chunk);
      else chunks.set(chunk.columnName, [chunk]);
    },
  });
  return decoding.names.map((name, i) => {
    const data = joined(chunks.get(name) ?? [], rows);
    const fix = decoding.fixes[i];
    return fix ? Array.from(data, fix) : data;
  });
}

/**
 * Reads a Parquet file as batches of records, row group by row group. `onColumns` hears the
 * file's columns (from its footer) before the first batch.
 */
export async function* readParquetBatches(ranges: ByteRanges, where: string, onColumns?: (columns: ParquetColumn[]) => void): AsyncGenerator<DataRecord[]> {
  const metadata = await readParquetFooter(ranges, where);
  const columns = parquetColumns(metadata);
  onColumns?.(columns);
  const decoding = decodingOf(metadata, columns);
  const groups = metadata.row_groups.length;
  const fetch = (g: number) => {
    const span = groupSpan(metadata, g);
    const bytes = ranges.read(span[0], span[1]);
    bytes.catch(() => undefined); // awaited (and reported) when its turn comes
    return { span, bytes };
  };
  let next = groups > 0 ? fetch(0) : undefined;
  let rowStart = 0;
  for (let g = 0; g < groups && next; g++) {
    const current = next;
    const bytes = await current.bytes;
    next = g + 1 < groups ? fetch(g + 1) : undefined;
    const rows = Number(metadata.row_groups[g]?.num_rows ?? 0n);
    let data: ArrayLike<unknown>[];
    try {
      data = await decodeGroup(decoding, groupBuffer(ranges, current.span, bytes), rowStart, rows);
    } catch (err: unknown) {
      if (err instanceof ConnectorError) throw err;
      throw badParquet(`${where}: row group ${g + 1}`, err);
    }
    rowStart += rows;
    for (let i = 0; i < rows; i += BATCH) {
      const batch = new Array<DataRecord>(Math.min(BATCH, rows - i));
      for (let j = 0; j < batch.length; j++) batch[j] = decoding.make(data, i + j);
      yield batch;
    }
  }
}
