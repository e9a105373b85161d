/**
 * `rejected_table: true`: the records a load's upstream quarantined (its `.rejected.jsonl`, one
 * JSON object a line) go into `<table>_rejected`, in the target's schema, created when missing,
 * inside the load's transaction, so they commit with the load's rows or not at all. Names are
 * quoted; the records travel as one JSON parameter per thousand, unpacked by `jsonb_to_recordset`.
 */
import type pg from "pg";
import { decodeText, splitLines } from "../formats/text";
import { qualified, type TableName } from "./names";

/** A transform's rejections fill op…record; an extract's fill source, line, text (runner/quarantine.ts). */
const COLUMNS = `run_id text NOT NULL, step text NOT NULL, op integer, "row" bigint, "column" text, value jsonb, reason text NOT NULL,
  record jsonb, source text, line bigint, "text" text, rejected_at timestamptz NOT NULL DEFAULT now()`;
const FIELDS = `op integer, "row" bigint, "column" text, value jsonb, reason text, record jsonb, source text, line bigint, "text" text`;
const PER_STATEMENT = 1000;

/** The rejected table beside the target: in the schema the target is in (its search-path schema when unqualified and it exists). */
async function rejectedTableOf(client: pg.Client, target: TableName): Promise<TableName> {
  const name = `${target.name}_rejected`;
  if (target.schema !== undefined) return { schema: target.schema, name };
  const found = await client.query<{ schema: string }>("SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)", [qualified(target)]);
  const schema = found.rows[0]?.schema;
  return schema === undefined ? { name } : { schema, name };
}

/** Writes the rejected records of step `stepId` (run `runId`) into `<target>_rejected`; returns how many. Runs inside the caller's transaction. */
export async function writeRejected(client: pg.Client, target: TableName, runId: string, stepId: string, lines: AsyncIterable<Uint8Array>): Promise<number> {
  const table = qualified(await rejectedTableOf(client, target));
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (${COLUMNS})`);
  const insert = `INSERT INTO ${table} (run_id, step, op, "row", "column", value, reason, record, source, line, "text")
    SELECT $1, $2, r.op, r."row", r."column", r.value, r.reason, r.record, r.source, r.line, r."text" FROM jsonb_to_recordset($3::jsonb) AS r(${FIELDS})`;
  let pending: string[] = [];
  let written = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await client.query(insert, [runId, stepId, `[${pending.join(",")}]`]);
    written += pending.length;
    pending = [];
  };
  for await (const chunk of splitLines(decodeText(lines))) {
    for (const line of chunk) {
      if (line.length === 0) continue;
      pending.push(line);
      if (pending.length >= PER_STATEMENT) await flush();
    }
  }
  await flush();
  return written;
}
