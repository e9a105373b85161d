/**
 * The load's stage: a CSV file of the records as text, read inside the load's transaction by one statement per mode that casts the text to the
 * target's types (a value that does not cast fails the whole load); a merge reads it through a temp table that keeps the records' order.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ConnectorError } from "../../errors";
import { recordBatches } from "../formats/batches";
import type { DataRecord } from "../types";
import { quoteIdent } from "./names";

export const STAGE_TABLE = "_agent_etl_stage";
export const STAGE = `temp.main.${quoteIdent(STAGE_TABLE)}`;

/** Records read ahead to learn the columns, and the rest in batches. */
export interface RecordSource {
  head: readonly DataRecord[];
  headBatches: readonly DataRecord[][];
  rest: AsyncIterator<DataRecord[]>;
}

export const SAMPLE_SIZE = 1000;

export async function sampleRecords(records: AsyncIterable<DataRecord>): Promise<RecordSource> {
  const rest = recordBatches(records)[Symbol.asyncIterator]();
  const head: DataRecord[] = [];
  const headBatches: DataRecord[][] = [];
  while (head.length < SAMPLE_SIZE) {
    const next = await rest.next();
    if (next.done) return { head, headBatches, rest: { next: async () => ({ done: true, value: undefined }) } };
    headBatches.push(next.value);
    for (const record of next.value) head.push(record);
  }
  return { head, headBatches, rest };
}

/** A value as one CSV field DuckDB casts from: quoted text (numbers and booleans bare: they hold no comma or quote), or nothing for a missing value. */
function fieldOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  const text = typeof value === "string" ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  return text.includes('"') ? `"${text.replace(/"/g, '""')}"` : `"${text}"`;
}

/** The temporary CSV file of a load's records, while `use` runs: its rows, and the `read_csv(…)` that reads its columns as text `c0`, `c1`, …. */
export interface StageFile {
  rows: number;
  /** A FROM item reading the file; `ordered`: in the records' order (one thread), else in parallel. */
  reader(ordered: boolean): string;
}

/**
 * Writes every record to a temporary CSV file (every text quoted, a missing value empty) that
 * DuckDB's own reader takes in the load's transaction (ten times faster than the Appender's call
 * per value), runs `use` with it, and removes it.
 */
export async function withStageFile<T>(columns: readonly string[], source: RecordSource, signal: AbortSignal, target: string, use: (stage: StageFile) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "agent-etl-duckdb-"));
  const file = join(dir, "stage.csv");
  try {
    const rows = await writeStage(file, columns, source, signal, target);
    const names = columns.map((_, i) => `'c${i}': 'VARCHAR'`).join(", ");
    const reader = (ordered: boolean) =>
      `read_csv(${sqlString(file)}, columns = {${names}}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, strict_mode = true, parallel = ${!ordered})`;
    return await use({ rows, reader });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Fills the stage table (the records' columns as text, in their order) from the stage file. */
export async function createStage(connection: DuckDBConnection, columns: readonly string[], stage: StageFile): Promise<void> {
  const select = columns.map((c, i) => `c${i} AS ${quoteIdent(c)}`).join(", ");
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(STAGE_TABLE)} AS SELECT ${select} FROM ${stage.reader(true)}`);
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function writeStage(file: string, columns: readonly string[], source: RecordSource, signal: AbortSignal, target: string): Promise<number> {
  const out = createWriteStream(file);
  const known = new Set(columns);
  let rows = 0;
  const text = (batch: readonly DataRecord[]): string => {
    let chunk = "";
    for (const record of batch) {
      rows++;
      for (const key in record) {
        if (known.has(key)) continue;
        const extra = Object.keys(record).filter((k) => !known.has(k));
        throw new ConnectorError("duckdb-unknown-column", `record ${rows} loaded into ${target} has ${extra.map((c) => JSON.stringify(c)).join(", ")}, which the first ${SAMPLE_SIZE} records did not have; give the load its columns with a \`cast\` transform, or drop it with a transform`);
      }
      let line = "";
      for (let i = 0; i < columns.length; i++) line += (i === 0 ? "" : ",") + fieldOf(record[columns[i] as string]);
      chunk += line + "\n";
    }
    return chunk;
  };
  try {
    for (const batch of source.headBatches) if (!out.write(text(batch))) await once(out, "drain");
    for (;;) {
      if (signal.aborted) throw new ConnectorError("aborted", `the load into ${target} was stopped; the table is unchanged`);
      const next = await source.rest.next();
      if (next.done) break;
      if (!out.write(text(next.value))) await once(out, "drain");
    }
  } finally {
    out.end();
    await once(out, "close");
  }
  return rows;
}
