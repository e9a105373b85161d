/**
 * Writing Parquet with hyparquet-writer, streamed: records are gathered into row groups of
 * `ROW_GROUP_ROWS`, each group is encoded and handed on as bytes, and the footer follows the last,
 * so memory holds one group, never the file. Each column keeps its type: the one the runner knows
 * (`LoadRequest.columns`: a cast, a database's catalog, a Parquet source), else one inferred from
 * the first group's values. Types map to Parquet as `integer` INT64, `number` DOUBLE, `decimal`
 * DECIMAL(38, s) (s: the most decimal places in the first group), `boolean` BOOLEAN, `date` DATE,
 * `timestamp` TIMESTAMP(MICROS, UTC), `string` STRING, `json` JSON; every column may hold nulls.
 * Pages are compressed with snappy (default), gzip, zstd or not at all.
 */
import { gzipSync } from "node:zlib";
import { ByteWriter, ParquetWriter, type SchemaElement } from "hyparquet-writer";
import { ConnectorError } from "../../errors";
import type { ColumnType, PARQUET_COMPRESSIONS } from "../../pipeline/model";
import { isInheritedName, ownValue } from "../../pipeline/ownKeys";
import type { DataRecord } from "../types";
import { recordBatches } from "./batches";
import { stringifyJson } from "./exactJson";

export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

export interface ParquetWriteOptions {
  /** Known column types (a column not named here gets a type inferred from its values). */
  columns?: Record<string, ColumnType>;
  /** Default `snappy`. */
  compression?: ParquetCompression;
  /** Rows per row group (default `ROW_GROUP_ROWS`). */
  rowGroupRows?: number;
}

/** Rows per row group: large enough for readers to scan fast, small enough to hold in memory. */
export const ROW_GROUP_ROWS = 100_000;

/** DECIMAL precision written: the most 16 bytes hold, so any scale chosen from the first group leaves room. */
const DECIMAL_PRECISION = 38;
const DECIMAL_LIMIT = 10n ** BigInt(DECIMAL_PRECISION);

const CODECS: Record<ParquetCompression, "SNAPPY" | "GZIP" | "ZSTD" | "UNCOMPRESSED"> = { snappy: "SNAPPY", gzip: "GZIP", zstd: "ZSTD", none: "UNCOMPRESSED" };

/** zstd's own default level. */
const ZSTD_LEVEL = 3;

type Compress = (input: Uint8Array) => Uint8Array;

let zstd: Promise<Compress> | undefined;

/**
 * zstd from its WebAssembly build, loaded on the first zstd write (not at start-up). The bundle
 * reads `zstd.wasm` from its own folder, where esbuild.mjs copies it.
 */
function zstdCompressor(): Promise<Compress> {
  zstd ??= import("@bokuweb/zstd-wasm")
    .then(async ({ init, compress }) => {
      await init();
      return (input: Uint8Array) => compress(input, ZSTD_LEVEL);
    })
    .catch((err: unknown) => {
      zstd = undefined;
      throw new ConnectorError("parquet-zstd", `zstd compression is unavailable: its WebAssembly module did not load (${err instanceof Error ? err.message : String(err)}); reinstall agent-etl, or write with \`compression: snappy\``, false, { cause: err });
    });
  return zstd;
}

/** The compressors the chosen codec needs (snappy is hyparquet-writer's own). */
async function compressorsFor(compression: ParquetCompression): Promise<Partial<Record<"GZIP" | "ZSTD", Compress>>> {
  if (compression === "gzip") return { GZIP: (input) => gzipSync(input) };
  if (compression === "zstd") return { ZSTD: await zstdCompressor() };
  return {};
}

class ValueError extends Error {}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;

function days(text: string): number {
  const m = DATE.exec(text);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (Number.isNaN(t)) throw new ValueError("is not a date (YYYY-MM-DD)");
  return t / 86_400_000;
}

/** Microseconds since the epoch of an ISO 8601 timestamp (no zone: UTC), sub-microsecond digits dropped. */
export function microsOf(text: string): bigint {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) throw new ValueError("is not a timestamp (ISO 8601, e.g. 2024-01-31T12:00:00Z)");
  const [, date, h, mi, s, fraction = "", zone = "Z"] = m as unknown as string[];
  const [y, mo, d] = (date as string).split("-").map(Number) as [number, number, number];
  let millis = Date.UTC(y, mo - 1, d, Number(h), Number(mi), Number(s));
  if (zone.toUpperCase() !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    millis -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0")) * 60_000;
  }
  if (Number.isNaN(millis)) throw new ValueError("is not a timestamp (ISO 8601, e.g. 2024-01-31T12:00:00Z)");
  return BigInt(millis) * 1000n + BigInt(fraction.padEnd(6, "0").slice(0, 6));
}

/** A decimal value as digits and a power of ten (`-12.50` → -1250, -2), or undefined when it is not one. */
function decimalParts(v: unknown): { unscaled: bigint; exponent: number } | undefined {
  if (typeof v === "bigint") return { unscaled: v, exponent: 0 };
  const text = typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "string" ? v.trim() : undefined;
  const m = text === undefined ? null : DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  const unscaled = BigInt(`${m[1]}${m[2]}${fraction}` .replace(/^[+-]?$/, "0") || "0");
  return { unscaled, exponent: Number(m[4] ?? "0") - fraction.length };
}

/** Decimal places a value needs (0 for an integer). */
function scaleOf(v: unknown): number {
  const parts = decimalParts(v);
  return parts ? Math.max(0, -parts.exponent) : 0;
}

function unscaledAt(v: unknown, scale: number): bigint {
  const parts = decimalParts(v);
  if (!parts) throw new ValueError("is not a decimal number");
  const shift = scale + parts.exponent;
  if (shift < 0) throw new ValueError(`has more than ${scale} decimal places, the most the first row group had (the column's scale); round it, or cast the column to number`);
  const unscaled = parts.unscaled * 10n ** BigInt(shift);
  if (unscaled >= DECIMAL_LIMIT || unscaled <= -DECIMAL_LIMIT) throw new ValueError(`has more than ${DECIMAL_PRECISION} digits, the most a Parquet DECIMAL holds; cast the column to number or string`);
  return unscaled;
}

function integerOf(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && INTEGER_TEXT.test(v.trim())) return BigInt(v.trim());
  throw new ValueError("is not an integer");
}

function numberOf(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && DECIMAL_TEXT.test(v.trim()) && v.trim() !== "") return Number(v);
  throw new ValueError("is not a number");
}

function booleanOf(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  throw new ValueError("is not a boolean");
}

function textOf(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" ? (stringifyJson(v) ?? "") : String(v);
}

/** A column as written: its schema element and how a record value becomes what hyparquet-writer takes. */
interface OutColumn {
  name: string;
  read: (record: DataRecord) => unknown;
  element: SchemaElement;
  encode: (v: unknown) => unknown;
}

function elementFor(name: string, type: ColumnType, scale: number): Omit<OutColumn, "name" | "read"> {
  const optional = { name, repetition_type: "OPTIONAL" } as const;
  switch (type) {
    case "integer":
      return { element: { ...optional, type: "INT64" }, encode: integerOf };
    case "number":
      return { element: { ...optional, type: "DOUBLE" }, encode: numberOf };
    case "decimal":
      return {
        element: { ...optional, type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, converted_type: "DECIMAL", precision: DECIMAL_PRECISION, scale, logical_type: { type: "DECIMAL", precision: DECIMAL_PRECISION, scale } },
        encode: (v) => unscaledAt(v, scale),
      };
    case "boolean":
      return { element: { ...optional, type: "BOOLEAN" }, encode: booleanOf };
    case "date":
      return { element: { ...optional, type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } }, encode: (v) => days(textOf(v)) };
    case "timestamp":
      return {
        element: { ...optional, type: "INT64", converted_type: "TIMESTAMP_MICROS", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" } },
        encode: (v) => microsOf(textOf(v)),
      };
    case "json":
      return { element: { ...optional, type: "BYTE_ARRAY", converted_type: "JSON", logical_type: { type: "JSON" } }, encode: (v) => v };
    case "string":
      return { element: { ...optional, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }, encode: textOf };
  }
}

/** The type of an untyped column's values: one kind throughout, else `json` (which holds any value). */
function inferType(values: readonly unknown[]): ColumnType {
  let type: ColumnType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const kind: ColumnType =
      typeof v === "boolean" ? "boolean" : typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v)) ? "integer" : typeof v === "number" ? "number" : typeof v === "string" ? "string" : "json";
    if (type === undefined || type === kind) type = kind;
    else if ((type === "integer" && kind === "number") || (type === "number" && kind === "integer")) type = "number";
    else return "json";
  }
  return type ?? "string";
}

/** The columns of the first row group: every key its records have, in order of first appearance. */
function planColumns(group: readonly DataRecord[], known: Record<string, ColumnType> = {}): OutColumn[] {
  const names = new Set<string>();
  for (const record of group) for (const key of Object.keys(record)) names.add(key);
  return [...names].map((name) => {
    const read = isInheritedName(name) ? (r: DataRecord) => ownValue(r, name) : (r: DataRecord) => r[name];
    const values = group.map(read);
    const type = Object.hasOwn(known, name) ? (known[name] as ColumnType) : inferType(values);
    const scale = type === "decimal" ? values.reduce<number>((most, v) => (v === null || v === undefined ? most : Math.max(most, scaleOf(v))), 0) : 0;
    return { name, read, ...elementFor(name, type, scale) };
  });
}

function checkColumns(record: DataRecord, known: ReadonlySet<string>, row: number): void {
  for (const key in record) {
    if (!known.has(key)) throw new ConnectorError("bad-record", `record ${row} has column \`${key}\` that the first ${ROW_GROUP_ROWS} records do not have; a Parquet file's columns are fixed by its first row group — add a \`select\` transform to fix the columns`);
  }
}

/** A writer whose bytes are taken after each row group (ParquetWriter calls `flush` then). */
class ChunkWriter extends ByteWriter {
  take(): Uint8Array {
    const bytes = this.getBytes().slice();
    this.index = 0;
    return bytes;
  }
}

/** Encodes one group's records column by column; a value that does not fit its column fails naming the row. */
function columnData(columns: readonly OutColumn[], group: readonly DataRecord[], firstRow: number, known: ReadonlySet<string>) {
  for (let r = 0; r < group.length; r++) checkColumns(group[r] as DataRecord, known, firstRow + r);
  return columns.map((column) => {
    const data = new Array<unknown>(group.length);
    for (let r = 0; r < group.length; r++) {
      const v = column.read(group[r] as DataRecord);
      try {
        data[r] = v === null || v === undefined ? null : column.encode(v);
      } catch (err: unknown) {
        if (!(err instanceof ValueError)) throw err;
        const shown = typeof v === "string" ? JSON.stringify(v) : typeof v === "bigint" ? String(v) : (stringifyJson(v) ?? String(v));
        throw new ConnectorError("bad-record", `record ${firstRow + r}: column \`${column.name}\` value ${shown.slice(0, 80)} ${err.message}; cast the column before this load (a \`cast\` transform)`);
      }
    }
    return { name: column.name, data };
  });
}

/** Serializes records as a Parquet file, in chunks (one per row group, then the footer). */
export async function* writeParquet(records: AsyncIterable<DataRecord>, options: ParquetWriteOptions = {}): AsyncGenerator<Uint8Array> {
  const groupRows = options.rowGroupRows ?? ROW_GROUP_ROWS;
  const compression = options.compression ?? "snappy";
  const compressors = await compressorsFor(compression);
  const writer = new ChunkWriter(1 << 20);
  let parquet: ParquetWriter | undefined;
  let columns: OutColumn[] = [];
  let known = new Set<string>();
  let group: DataRecord[] = [];
  let written = 0;
  const flush = () => {
    if (!parquet) {
      columns = planColumns(group, options.columns);
      known = new Set(columns.map((c) => c.name));
      const schema: SchemaElement[] = [{ name: "root", num_children: columns.length }, ...columns.map((c) => c.element)];
      parquet = new ParquetWriter({ writer, schema, codec: CODECS[compression], compressors, createdBy: "agent-etl" });
    }
    if (group.length > 0) void parquet.write({ columnData: columnData(columns, group, written + 1, known), rowGroupSize: group.length });
    written += group.length;
    group = [];
    return writer.take();
  };
  for await (const batch of recordBatches(records)) {
    for (const record of batch) {
      group.push(record);
      if (group.length >= groupRows) yield flush();
    }
  }
  const last = flush();
  if (last.length > 0) yield last;
  void (parquet as ParquetWriter | undefined)?.finish();
  yield writer.take();
}
