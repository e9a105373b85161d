/**
 * Streams records into `COPY … FROM STDIN` with backpressure: rows are encoded into large text
 * batches and written only when the socket has room. If anything fails (the source, a value, the
 * server), the COPY is aborted (CopyFail) and the caller's transaction rolls back.
 */
import { once } from "node:events";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { ConnectorError } from "../../errors";
import { recordBatches } from "../formats/batches";
import { copyTextOf, rowsTextOf } from "../formats/rows";
import type { DataRecord } from "../types";
import { CopyRowEncoder } from "./copyText";
import { quoteIdent } from "./names";

export interface RecordSource {
  /** Records already read (the sample used to infer columns). */
  head: readonly DataRecord[];
  /** The sample's batches, as they came (a batch may carry its staged text: `rowsTextOf`). */
  headBatches: readonly DataRecord[][];
  /** The rest, in batches (one await per batch, not per record). */
  rest: AsyncIterator<DataRecord[]>;
}

const SAMPLE_SIZE = 1000;

/** Reads at least SAMPLE_SIZE records ahead (whole batches), to learn the columns before the COPY starts. */
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

function unknownColumn(table: string): (column: string, row: number) => never {
  return (column, row) => {
    throw new ConnectorError(
      "postgres-unknown-column",
      `record ${row} has a column ${JSON.stringify(column)} that the first ${SAMPLE_SIZE} records did not have, so it is not in the COPY into ${table}; give every record the same columns (e.g. a \`select\` transform)`,
    );
  };
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

export async function copyRecords(
  client: pg.Client,
  tableSql: string,
  displayTable: string,
  columns: readonly string[],
  source: RecordSource,
  signal: AbortSignal,
  jsonColumns: ReadonlySet<string> = new Set(),
  /** Record columns left out on purpose (`on_schema_change: ignore`). */
  ignored: ReadonlySet<string> = new Set(),
): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${tableSql} (${columns.map(quoteIdent).join(", ")}) FROM STDIN`));
  let failure: unknown;
  stream.on("error", (err: unknown) => {
    failure ??= err;
  });
  const encoder = new CopyRowEncoder(columns, unknownColumn(displayTable), jsonColumns, ignored);
  const send = async (chunk: string | Uint8Array): Promise<void> => {
    if (failure !== undefined) throw failure;
    if (signal.aborted) throw new ConnectorError("aborted", "the load was stopped", false);
    if (!stream.write(chunk)) await once(stream, "drain");
  };
  // A batch that comes with its staged rows in these columns is sent as that text, not encoded again.
  const passthrough = jsonColumns.size === 0;
  try {
    const copy = async (records: readonly DataRecord[]) => {
      const staged = passthrough ? rowsTextOf(records) : undefined;
      const text = staged && sameColumns(staged.columns, columns) ? copyTextOf(staged) : undefined;
      if (text !== undefined) {
        const pending = encoder.flush();
        if (pending) await send(pending);
        await send(text);
        encoder.passed(records.length);
        return;
      }
      for (const record of records) {
        const chunk = encoder.add(record);
        if (chunk !== undefined) await send(chunk);
      }
    };
    for (const batch of source.headBatches) await copy(batch);
    for (let next = await source.rest.next(); !next.done; next = await source.rest.next()) await copy(next.value);
    const last = encoder.flush();
    if (last) await send(last);
    stream.end();
    await once(stream, "finish");
    if (failure !== undefined) throw failure;
  } catch (err: unknown) {
    if (!stream.destroyed) stream.destroy(err instanceof Error ? err : new Error(String(err)));
    await source.rest.return?.().catch(() => undefined);
    throw failure !== undefined && !(err instanceof ConnectorError) ? failure : err;
  }
  return encoder.rows;
}
