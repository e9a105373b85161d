/**
 * The shared run history: a table in a PostgreSQL database (`history: {connection}`), so runs from
 * every machine (Airflow workers) are listed in one place. The schema (default `agent_etl`) is
 * created on first use; its migrations are numbered in `<schema>.history_migrations` and applied
 * under an advisory lock, so many processes starting at once migrate once. A write is one
 * transaction that locks the run's row and merges over it (mergeRecords): writers never lose steps.
 */
import type pg from "pg";
import type { Connection } from "../../pipeline/model";
import { openClient, where, type PostgresConnection } from "../../sources/postgres/client";
import { toConnectorError } from "../../sources/postgres/errors";
import { quoteIdent } from "../../sources/postgres/names";
import { mergeRecords } from "./record";
import type { RunRecord } from "./recordSchema";
import type { HistoryStore, ListOptions } from "./store";

export const DEFAULT_HISTORY_SCHEMA = "agent_etl";

/** Applied in order, each once; append a new one, never edit a shipped one. */
const MIGRATIONS: readonly ((schema: string) => string)[] = [
  (s) => `CREATE TABLE IF NOT EXISTS ${s}.runs (
    pipeline text NOT NULL,
    run_id text NOT NULL,
    status text NOT NULL,
    started_at timestamptz NOT NULL,
    record jsonb NOT NULL,
    PRIMARY KEY (pipeline, run_id)
  );
  CREATE INDEX IF NOT EXISTS runs_recent ON ${s}.runs (pipeline, started_at DESC)`,
];

export class PostgresHistory implements HistoryStore {
  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
    private readonly pipeline: string,
    private readonly shown: string,
  ) {}

  static async open(connection: Connection, options: { schema: string; pipeline: string; secrets: readonly string[] }): Promise<PostgresHistory> {
    const client = await openClient({ connection, secrets: options.secrets });
    const schema = quoteIdent(options.schema);
    try {
      await migrate(client, schema, options.schema);
    } catch (err: unknown) {
      await client.end().catch(() => undefined);
      throw toConnectorError(err, `could not set up the run history in schema ${options.schema}`, options.secrets, "connect");
    }
    return new PostgresHistory(client, schema, options.pipeline, `${options.schema}.runs (${where(connection as PostgresConnection)})`);
  }

  async save(record: RunRecord, touched: ReadonlySet<string>): Promise<void> {
    await this.client.query("BEGIN");
    try {
      const inserted = await this.client.query(`INSERT INTO ${this.schema}.runs (pipeline, run_id, status, started_at, record) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [record.pipeline, record.run_id, record.status, record.started_at, record]);
      if (inserted.rowCount === 0) {
        const stored = await this.client.query<{ record: RunRecord }>(`SELECT record FROM ${this.schema}.runs WHERE pipeline = $1 AND run_id = $2 FOR UPDATE`, [record.pipeline, record.run_id]);
        const merged = mergeRecords(stored.rows[0]?.record, record, touched);
        await this.client.query(`UPDATE ${this.schema}.runs SET status = $3, started_at = $4, record = $5 WHERE pipeline = $1 AND run_id = $2`, [merged.pipeline, merged.run_id, merged.status, merged.started_at, merged]);
      }
      await this.client.query("COMMIT");
    } catch (err: unknown) {
      await this.client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  async list(options: ListOptions = {}): Promise<RunRecord[]> {
    const params: unknown[] = [this.pipeline];
    if (options.status !== undefined) params.push(options.status);
    const status = options.status !== undefined ? "AND status = $2" : "";
    const limit = options.limit !== undefined ? `LIMIT ${Math.floor(options.limit)}` : "";
    const result = await this.client.query<{ record: RunRecord }>(`SELECT record FROM ${this.schema}.runs WHERE pipeline = $1 ${status} ORDER BY started_at DESC, run_id DESC ${limit}`, params);
    return result.rows.map((r) => r.record);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const result = await this.client.query<{ record: RunRecord }>(`SELECT record FROM ${this.schema}.runs WHERE pipeline = $1 AND run_id = $2`, [this.pipeline, runId]);
    return result.rows[0]?.record;
  }

  async remove(runIds: readonly string[]): Promise<void> {
    if (runIds.length > 0) await this.client.query(`DELETE FROM ${this.schema}.runs WHERE pipeline = $1 AND run_id = ANY($2)`, [this.pipeline, [...runIds]]);
  }

  describe(): string {
    return this.shown;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

async function migrate(client: pg.Client, schema: string, rawSchema: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`agent_etl_history:${rawSchema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.history_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${schema}.history_migrations`);
    for (let v = (done.rows[0]?.version ?? 0) + 1; v <= MIGRATIONS.length; v++) {
      await client.query((MIGRATIONS[v - 1] as (s: string) => string)(schema));
      await client.query(`INSERT INTO ${schema}.history_migrations (version) VALUES ($1)`, [v]);
    }
    await client.query("COMMIT");
  } catch (err: unknown) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
