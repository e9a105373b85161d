/**
 * The load's stage: a temp table of text columns, filled by DuckDB's Appender (no SQL text per row)
 * inside the load's transaction, from which one statement per mode casts the text to the target's
 * types (a value that does not cast fails the whole load).
 */
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

/** A value as the text DuckDB casts from; null for a missing value. */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value as number | bigint | boolean);
}

/** Creates the stage for these columns and appends every record; the number of records. */
export async function stageRecords(connection: DuckDBConnection, columns: readonly string[], source: RecordSource, signal: AbortSignal, target: string): Promise<number> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(STAGE_TABLE)} (${columns.map((c) => `${quoteIdent(c)} VARCHAR`).join(", ")})`);
  const appender = await connection.createAppender(STAGE_TABLE, "main", "temp");
  const known = new Set(columns);
  let rows = 0;
  const append = (batch: readonly DataRecord[]) => {
    for (const record of batch) {
      for (const column of columns) {
        const text = textOf(record[column]);
        if (text === null) appender.appendNull();
        else appender.appendVarchar(text);
      }
      appender.endRow();
      rows++;
      for (const key in record) {
        if (known.has(key)) continue;
        const extra = Object.keys(record).filter((k) => !known.has(k));
        throw new ConnectorError("duckdb-unknown-column", `record ${rows} loaded into ${target} has ${extra.map((c) => JSON.stringify(c)).join(", ")}, which the first ${SAMPLE_SIZE} records did not have; give the load its columns with a \`cast\` transform, or drop it with a transform`);
      }
    }
  };
  try {
    for (const batch of source.headBatches) append(batch);
    for (;;) {
      if (signal.aborted) throw new ConnectorError("aborted", `the load into ${target} was stopped; the table is unchanged`);
      const next = await source.rest.next();
      if (next.done) break;
      append(next.value);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return rows;
}
