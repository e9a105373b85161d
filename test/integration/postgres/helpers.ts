/** Shared pieces of the PostgreSQL connector tests: requests, generated records, checksums in SQL. */
import pino from "pino";
import type { Connection, Extract, Load } from "../../../server/src/pipeline/model";
import type { ColumnType } from "../../../server/src/pipeline/model";
import type { DataRecord, ExtractRequest, LoadRequest } from "../../../server/src/sources/types";
import { after, before } from "node:test";
import { startPostgres, type TestPostgres } from "../../support/postgres";

export const logger = pino({ level: "silent" });
export const templates = { ds: "2024-03-01", ds_nodash: "20240301", ts: "2024-03-01T00:00:00+00:00", ts_nodash: "20240301T000000", run_id: "run1", params: {} };

export function pgConnection(url: string, extra: Partial<Connection> = {}): Connection {
  return { type: "postgres", url, ...extra } as Connection;
}

export async function* stream(records: Iterable<DataRecord>): AsyncGenerator<DataRecord> {
  for (const r of records) yield r;
}

interface LoadOptions {
  mode?: Load["mode"];
  key?: string | string[];
  create?: boolean;
  columns?: Record<string, ColumnType>;
  runId?: string;
  stepId?: string;
  signal?: AbortSignal;
  secrets?: string[];
}

export function loadRequest(connection: Connection, table: string, records: AsyncIterable<DataRecord>, o: LoadOptions = {}): LoadRequest {
  const load = { connection: "db", table, mode: o.mode ?? "append", create: o.create ?? true, ...(o.key !== undefined ? { key: o.key } : {}) } as Load;
  return {
    connection,
    connectionName: "db",
    baseDir: process.cwd(),
    templates,
    signal: o.signal ?? new AbortController().signal,
    logger,
    secrets: o.secrets ?? [],
    load,
    records,
    ...(o.columns ? { columns: o.columns } : {}),
    runId: o.runId ?? `run-${Math.random().toString(36).slice(2)}`,
    stepId: o.stepId ?? "load_step",
  };
}

export function extractRequest(connection: Connection, extract: Omit<Extract, "connection">, highWater?: string | number, params: Record<string, string> = {}): ExtractRequest {
  return {
    connection,
    connectionName: "db",
    baseDir: process.cwd(),
    templates: { ...templates, params },
    signal: new AbortController().signal,
    logger,
    secrets: [],
    extract: { connection: "db", ...extract } as Extract,
    ...(highWater !== undefined ? { highWater } : {}),
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Awkward values on purpose: tabs, newlines, backslashes, quotes, unicode, empty vs null. */
const NAMES = ["plain", "tab\there", "new\nline", "back\\slash", "quote'\"s", "ünïcødé ✓", "", "\\N", "cr\r\nlf"];

export function orders(from: number, to: number, version = 1): DataRecord[] {
  const out: DataRecord[] = [];
  for (let id = from; id <= to; id++) {
    out.push({
      id,
      name: id % 17 === 0 ? null : `${NAMES[id % NAMES.length]}-${id}-v${version}`,
      amount: `${(id * 7) % 1000}.${String(id % 100).padStart(2, "0")}`,
      ratio: id / 8,
      paid: id % 3 === 0,
      created_at: `2024-01-${String((id % 28) + 1).padStart(2, "0")}T10:${String(id % 60).padStart(2, "0")}:00Z`,
      meta: { tags: ["a", `t${id % 5}`], nested: { v: version } },
    });
  }
  return out;
}

export const ORDER_TYPES: Record<string, ColumnType> = { amount: "decimal", created_at: "timestamp", meta: "json" };

/**
 * Writes the same records into a reference table through a path independent of the connector
 * (jsonb_to_recordset over parameters), so PostgreSQL can compare checksums of both tables.
 */
export async function referenceTable(pg: TestPostgres, db: string, table: string, records: DataRecord[]): Promise<void> {
  await pg.query(`DROP TABLE IF EXISTS ${table}`, [], db);
  await pg.query(`CREATE TABLE ${table} (id bigint, name text, amount numeric, ratio double precision, paid boolean, created_at timestamptz, meta jsonb)`, [], db);
  for (let i = 0; i < records.length; i += 5000) {
    await pg.query(
      `INSERT INTO ${table} SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, name text, amount numeric, ratio double precision, paid boolean, created_at timestamptz, meta jsonb)`,
      [JSON.stringify(records.slice(i, i + 5000))],
      db,
    );
  }
}

/** Row count and an md5 over every row in id order, computed by PostgreSQL. */
export async function checksum(pg: TestPostgres, db: string, tableSql: string, columns = "id, name, amount, ratio, paid, created_at, meta"): Promise<{ rows: number; md5: string | null }> {
  const [row] = await pg.query<{ rows: string; md5: string | null }>(
    `SELECT count(*) AS rows, md5(string_agg(row(${columns})::text, E'\\n' ORDER BY id)) AS md5 FROM ${tableSql}`,
    [],
    db,
  );
  return { rows: Number(row?.rows), md5: row?.md5 ?? null };
}

/** Polls until `check` returns a value (never a fixed sleep). */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A throwaway server with one fresh database for a test file: `pg` and `url` are set before its
 * tests (after `setup`, when given), and the server stops after them.
 */
export function testDatabase(name: string, setup?: (pg: TestPostgres) => Promise<unknown>): { pg: TestPostgres; url: string } {
  const db = {} as { pg: TestPostgres; url: string };
  before(async () => {
    db.pg = await startPostgres();
    db.url = await db.pg.createDatabase(name);
    await setup?.(db.pg);
  });
  after(async () => db.pg?.stop());
  return db;
}
