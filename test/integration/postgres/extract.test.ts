/** PostgreSQL extracts and `sql` steps against a real server. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { ConnectorError } from "../../../server/src/errors";
import { postgresConnector, runSqlStep } from "../../../server/src/sources/postgres";
import { FETCH_SIZE } from "../../../server/src/sources/postgres/extract";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { collect, extractRequest, pgConnection, templates, waitFor } from "./helpers";

const DB = "extracts";
let pg: TestPostgres;
let url: string;

before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase(DB);
  await pg.query(
    `CREATE TABLE events (id bigint PRIMARY KEY, kind text, amount numeric(12,2), score real, ok boolean, day date, at timestamptz, payload jsonb, tags text[])`,
    [],
    DB,
  );
  await pg.query(
    `INSERT INTO events SELECT g, 'k' || (g % 7), g * 1.25, g / 4.0, g % 2 = 0, date '2024-01-01' + (g % 30), timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 minute', jsonb_build_object('g', g), ARRAY['x', g::text]
       FROM generate_series(1, ${FETCH_SIZE * 2 + 345}) AS g`,
    [],
    DB,
  );
});
after(async () => pg?.stop());

const connection = () => pgConnection(url);

describe("postgres extract", () => {
  it("reads every row of a table through the cursor, with catalog types and JSON-friendly values", async () => {
    const result = await postgresConnector.extract(extractRequest(connection(), { table: "public.events" }));
    assert.deepEqual(result.columns, { id: "integer", kind: "string", amount: "decimal", score: "number", ok: "boolean", day: "date", at: "timestamp", payload: "json", tags: "json" });
    const rows = await collect(result.records);
    assert.equal(rows.length, FETCH_SIZE * 2 + 345);
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
    assert.deepEqual(rows.find((r) => r.id === 3), {
      id: 3, kind: "k3", amount: "3.75", score: 0.75, ok: false, day: "2024-01-04", at: "2024-01-01T00:03:00.123456+00:00", payload: { g: 3 }, tags: ["x", "3"],
    });
  });

  it("reads only the named columns", async () => {
    const result = await postgresConnector.extract(extractRequest(connection(), { table: "events", columns: ["kind", "id"] }));
    assert.deepEqual(result.columns, { kind: "string", id: "integer" });
    const rows = await collect(result.records);
    assert.deepEqual(rows[0] && Object.keys(rows[0]), ["kind", "id"]);
  });

  it("runs a query whose templates become literals, never SQL", async () => {
    const evil = "k1'; DROP TABLE events; --";
    const q = "SELECT id, kind FROM events WHERE kind = {{ params.kind }} OR kind = {{ params.other }} ORDER BY id";
    const rows = await collect((await postgresConnector.extract(extractRequest(connection(), { query: q }, undefined, { kind: evil, other: "k2" }))).records);
    assert.ok(rows.length > 0 && rows.every((r) => r.kind === "k2"));
    assert.equal((await pg.query("SELECT count(*)::int AS n FROM events", [], DB))[0]?.n, FETCH_SIZE * 2 + 345);
  });

  it("incremental: only rows above the mark, in order, and the new mark after the last row", async () => {
    const first = await postgresConnector.extract(extractRequest(connection(), { table: "events", columns: ["kind"], incremental: { column: "at", initial: "2024-01-08 00:00:00+00" } }));
    const rows = await collect(first.records);
    const [{ n }] = (await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE at > '2024-01-08 00:00:00+00'", [], DB)) as [{ n: number }];
    assert.equal(rows.length, n);
    assert.deepEqual(Object.keys(rows[0] ?? {}), ["kind"], "the mark column is read but not returned when not asked for");
    const mark = first.highWater?.();
    const [{ max }] = (await pg.query<{ max: string }>("SELECT to_char(max(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS max FROM events", [], DB)) as [{ max: string }];
    assert.equal(mark, `${max}+00:00`);
    await pg.query("INSERT INTO events (id, kind, at) VALUES (100001, 'late', timestamptz '2030-01-01 00:00:00.000001+00'), (100002, 'late', $1::timestamptz)", [mark], DB);
    const second = await postgresConnector.extract(extractRequest(connection(), { table: "events", incremental: { column: "at" } }, mark));
    assert.deepEqual((await collect(second.records)).map((r) => r.id), [100001]);
    assert.equal(second.highWater?.(), "2030-01-01T00:00:00.000001+00:00");
  });

  it("close() releases an extract whose records were never read", async () => {
    await postgresConnector.extract(extractRequest(connection(), { table: "events" }));
    const sessions = () => pg.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'agent-etl'", [], DB);
    assert.equal((await sessions()).length, 1);
    await postgresConnector.close?.();
    await waitFor(async () => ((await sessions()).length === 0 ? true : undefined), 10_000, "the session to end");
  });

  it("a bad query fails permanently with PostgreSQL's reason", async () => {
    const err = await postgresConnector.extract(extractRequest(connection(), { query: "SELECT nope FROM events" })).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.match(err.message, /column "nope" does not exist/);
  });

  it("ssl: true falls back to plain on a server without TLS; ssl: require refuses", async () => {
    const rows = await collect((await postgresConnector.extract(extractRequest(pgConnection(url, { ssl: true }), { query: "SELECT 1 AS one" }))).records);
    assert.deepEqual(rows, [{ one: 1 }]);
    const err = await postgresConnector.extract(extractRequest(pgConnection(url, { ssl: "require" }), { query: "SELECT 1" })).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.code, "postgres-ssl");
  });

  it("ssl: require and ssl: true use TLS on a server that has it", async () => {
    const tlsServer = await startPostgres({ ssl: true });
    try {
      for (const ssl of ["require", true] as const) {
        const result = await postgresConnector.extract(extractRequest(pgConnection(tlsServer.url, { ssl }), { query: "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" }));
        assert.deepEqual(await collect(result.records), [{ ssl: true }], String(ssl));
      }
      const plain = await postgresConnector.extract(extractRequest(pgConnection(tlsServer.url, { ssl: false }), { query: "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" }));
      assert.deepEqual(await collect(plain.records), [{ ssl: false }]);
    } finally {
      await tlsServer.stop();
    }
  });
});

/** The error a promise rejects with, which must be a permanent ConnectorError. */
async function permanentError(pending: Promise<unknown>): Promise<ConnectorError> {
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConnectorError, `expected a ConnectorError, got ${String(err)}`);
  assert.equal(err.transient, false);
  return err;
}

const LOAD_ONLY = /create: true/;
const CAST_TRANSFORM = /`cast` transform/;

describe("postgres error hints fit what failed", () => {
  const sqlRequest = (query: string, params: Record<string, string> = {}) => ({
    connection: connection(), connectionName: "db", baseDir: ".", templates: { ...templates, params }, signal: new AbortController().signal,
    logger: pino({ level: "silent" }), secrets: [], sql: { connection: "db", query },
  });

  it("extract table: a missing table points at `table`, not at a load's create: true", async () => {
    const err = await permanentError(postgresConnector.extract(extractRequest(connection(), { table: "public.no_such_table" })));
    assert.equal(err.code, "postgres-42P01");
    assert.match(err.message, /relation "public.no_such_table" does not exist.*check the extract's `table`/);
    assert.doesNotMatch(err.message, LOAD_ONLY);
  });

  it("extract table: an incremental initial of the wrong type points at `incremental.initial`, not at a cast transform", async () => {
    const err = await permanentError(postgresConnector.extract(extractRequest(connection(), { table: "events", incremental: { column: "id", initial: "last week" } })));
    assert.equal(err.code, "postgres-22P02");
    assert.match(err.message, /invalid input syntax for type bigint.*`incremental.initial` must be a value of the column's type/);
    assert.doesNotMatch(err.message, CAST_TRANSFORM);
  });

  it("extract query: a bad --param value points at the param or a cast in the SQL, not at a cast transform", async () => {
    const query = "SELECT id, kind FROM events WHERE id = {{ params.min_id }}";
    const err = await permanentError(postgresConnector.extract(extractRequest(connection(), { query }, undefined, { min_id: "ten" })));
    assert.equal(err.code, "postgres-22P02");
    assert.match(err.message, /reading the extract query failed: invalid input syntax for type bigint: "ten"/);
    assert.match(err.message, /check the values its templates insert \(`--param`.*or cast in the SQL/);
    assert.doesNotMatch(err.message, CAST_TRANSFORM);
  });

  it("extract query: a missing table points at the query, not at a load's create: true", async () => {
    const err = await permanentError(postgresConnector.extract(extractRequest(connection(), { query: "SELECT * FROM no_such_table" })));
    assert.equal(err.code, "postgres-42P01");
    assert.match(err.message, /check the table names in the extract's `query`/);
    assert.doesNotMatch(err.message, LOAD_ONLY);
  });

  it("sql step: a missing table points at the step's query and its order, not at a load's create: true", async () => {
    const err = await permanentError(runSqlStep(sqlRequest("UPDATE no_such_table SET x = 1")));
    assert.equal(err.code, "postgres-42P01");
    assert.match(err.message, /the sql step failed: relation "no_such_table" does not exist.*check the table names in the `sql` step's query.*depends_on/);
    assert.doesNotMatch(err.message, LOAD_ONLY);
  });

  it("sql step: a bad --param value points at the param or a cast in the SQL, not at a cast transform", async () => {
    const err = await permanentError(runSqlStep(sqlRequest("DELETE FROM events WHERE id = {{ params.id }}", { id: "x1" })));
    assert.equal(err.code, "postgres-22P02");
    assert.match(err.message, /check the values its templates insert \(`--param`.*or cast in the SQL/);
    assert.doesNotMatch(err.message, CAST_TRANSFORM);
  });

  it("sql step: a duplicate key points at the statement, not at a load's merge mode", async () => {
    const err = await permanentError(runSqlStep(sqlRequest("INSERT INTO events (id) VALUES (1)")));
    assert.equal(err.code, "postgres-23505");
    assert.match(err.message, /the statement breaks a unique constraint/);
    assert.doesNotMatch(err.message, /mode: merge|dedupe/);
  });
});

describe("sql step", () => {
  const request = (query: string, params: Record<string, string> = {}) => ({
    connection: connection(), connectionName: "db", baseDir: ".", templates: { ...templates, params }, signal: new AbortController().signal,
    logger: pino({ level: "silent" }), secrets: [], sql: { connection: "db", query },
  });

  it("runs statements all-or-nothing with templates as literals", async () => {
    await runSqlStep(request("CREATE TABLE notes (ds date, note text)"));
    const result = await runSqlStep(request("INSERT INTO notes VALUES ({{ ds }}, {{ params.note }}); INSERT INTO notes VALUES ({{ ds }}, 'two')", { note: "it's'); DROP TABLE notes; --" }));
    assert.equal(result.rowCount, 1);
    assert.deepEqual(await pg.query("SELECT ds::text, note FROM notes ORDER BY note", [], DB), [
      { ds: "2024-03-01", note: "it's'); DROP TABLE notes; --" },
      { ds: "2024-03-01", note: "two" },
    ]);
    await assert.rejects(runSqlStep(request("INSERT INTO notes VALUES ('2024-01-01', 'x'); SELECT 1/0")));
    assert.equal((await pg.query("SELECT count(*)::int AS n FROM notes", [], DB))[0]?.n, 2);
  });

  it("is reachable through the connector's runSql, as the runner calls it", async () => {
    const { sql: _sql, ...context } = request("");
    const result = await postgresConnector.runSql({ ...context, query: "UPDATE notes SET note = note" });
    assert.equal(result.rows, 2);
  });
});
