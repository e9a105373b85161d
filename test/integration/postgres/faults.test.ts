/**
 * Faults against a real PostgreSQL: a load killed mid-COPY (backend terminated, or the step
 * aborted) leaves the target unchanged; a restart mid-extract is transient; classification of
 * real server errors; a CancelRequest stops a running statement and never throws or hangs; and
 * the password of the connection URL never appears in an error.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import pgLib from "pg";
import pino from "pino";
import { ConnectorError } from "../../../server/src/errors";
import { postgresConnector, runSqlStep } from "../../../server/src/sources/postgres";
import { sendCancelRequest } from "../../../server/src/sources/postgres/cancel";
import type { DataRecord } from "../../../server/src/sources/types";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { checksum, collect, extractRequest, loadRequest, ORDER_TYPES, orders, pgConnection, stream, templates, waitFor } from "./helpers";

const DB = "faults";
let pg: TestPostgres;
let url: string;

before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase(DB);
});
after(async () => pg?.stop());

/** Endless records, yielding to the event loop now and then so the COPY is really in flight. */
async function* endless(): AsyncGenerator<DataRecord> {
  for (let id = 1_000_000; ; id++) {
    if (id % 500 === 0) await new Promise((r) => setImmediate(r));
    yield { id, name: `row ${id}`, amount: "1.00", ratio: 0.5, paid: true, created_at: "2024-01-01T00:00:00Z", meta: { id } };
  }
}

async function copyInFlight(): Promise<number> {
  return waitFor(async () => {
    const rows = await pg.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'agent-etl' AND query LIKE 'COPY%' AND state = 'active'", [], DB);
    return rows[0]?.pid;
  }, 15_000, "a COPY in progress");
}

function assertNoSecret(err: unknown, secret: string): void {
  const seen = JSON.stringify({ message: (err as Error).message, stack: (err as Error).stack, cause: String((err as { cause?: Error }).cause?.message ?? "") });
  assert.ok(!seen.includes(secret), `the secret leaked: ${seen}`);
}

describe("postgres faults", () => {
  for (const mode of ["append", "replace", "merge"] as const) {
    it(`${mode}: a backend terminated mid-COPY leaves the table unchanged and is transient`, async () => {
      const table = `killed_${mode}`;
      await postgresConnector.load(loadRequest(pgConnection(url), table, stream(orders(1, 1500)), { columns: ORDER_TYPES, mode, key: "id" }));
      const before = await checksum(pg, DB, table);
      const loading = postgresConnector.load(loadRequest(pgConnection(url), table, endless(), { columns: ORDER_TYPES, mode, key: "id" }));
      const outcome = loading.catch((e: unknown) => e);
      const pid = await copyInFlight();
      await pg.query("SELECT pg_terminate_backend($1)", [pid], DB);
      const err = await outcome;
      assert.ok(err instanceof ConnectorError, String(err));
      assert.equal(err.transient, true, err.message);
      assert.deepEqual(await checksum(pg, DB, table), before);
      const book = await pg.query("SELECT 1 FROM _agent_etl_loads WHERE target = $1", [table], DB);
      assert.equal(book.length, 1, "only the first, committed load is recorded");
    });
  }

  it("an aborted load (step timeout or kill) stops the COPY and leaves the table unchanged", async () => {
    await postgresConnector.load(loadRequest(pgConnection(url), "aborted", stream(orders(1, 100)), { columns: ORDER_TYPES }));
    const before = await checksum(pg, DB, "aborted");
    const controller = new AbortController();
    const outcome = postgresConnector.load(loadRequest(pgConnection(url), "aborted", endless(), { columns: ORDER_TYPES, signal: controller.signal })).catch((e: unknown) => e);
    await copyInFlight();
    controller.abort();
    const err = await outcome;
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.code, "aborted");
    assert.deepEqual(await checksum(pg, DB, "aborted"), before);
    await waitFor(async () => ((await pg.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'agent-etl'", [], DB)).length === 0 ? true : undefined), 10_000, "the session to end");
  });

  it("a CancelRequest stops a real backend's statement; one that cannot be delivered is reported, never thrown or left hanging", async () => {
    const victim = new pgLib.Client({ connectionString: url });
    await victim.connect();
    try {
      const { processID, secretKey } = victim as unknown as { processID: number; secretKey: number };
      const sleeping = victim.query("SELECT pg_sleep(600)").catch((e: unknown) => e);
      await waitFor(async () => ((await pg.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%'", [processID], DB)).length > 0 ? true : undefined), 10_000, "the sleep to start");
      assert.deepEqual(await sendCancelRequest({ host: "127.0.0.1", port: pg.port }, processID, secretKey), { sent: true });
      assert.equal(((await sleeping) as { code?: string }).code, "57014", "the statement is cancelled by the server");
    } finally {
      await victim.end();
    }

    const closedPort = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === "object" && a ? a.port : 1));
      });
    });
    const refused = await sendCancelRequest({ host: "127.0.0.1", port: closedPort }, 1, 1);
    assert.equal(refused.sent, false);
    assert.match(refused.reason ?? "", /ECONNREFUSED/);

    // A server that accepts and never answers: the timeout ends the wait.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const address = silent.address();
      const port = typeof address === "object" && address ? address.port : 1;
      assert.deepEqual(await sendCancelRequest({ host: "127.0.0.1", port }, 1, 1, 200), { sent: false, reason: "the server did not answer within 200 ms" });
    } finally {
      silent.close();
    }
  });

  it("an aborted sql step cancels its statement over a unix socket too: it never commits", async (t) => {
    if (pg.socketDir === undefined) return t.skip("PG_TEST_URL: the server's unix socket is not known");
    await pg.query("CREATE TABLE cancelled_via_socket (v int)", [], DB);
    const holder = new pgLib.Client({ connectionString: url });
    await holder.connect();
    try {
      // The statement waits for this lock, so it cannot finish on its own while the test holds it.
      await holder.query("SELECT pg_advisory_lock(77)");
      const controller = new AbortController();
      const connection = { type: "postgres", host: pg.socketDir, port: pg.port, user: "postgres", database: DB } as const;
      const outcome = runSqlStep({
        connection, connectionName: "db", baseDir: ".", templates, signal: controller.signal, logger: pino({ level: "silent" }), secrets: [],
        sql: { connection: "db", query: "SELECT pg_advisory_lock(77); INSERT INTO cancelled_via_socket VALUES (1)" },
      }).catch((e: unknown) => e);
      await waitFor(async () => ((await pg.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", [], DB)).length > 0 ? true : undefined), 10_000, "the statement to wait for the lock");
      controller.abort();
      const err = await outcome;
      assert.ok(err instanceof ConnectorError && err.code === "aborted", String(err));
      await waitFor(async () => ((await pg.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'agent-etl'", [], DB)).length === 0 ? true : undefined), 10_000, "the cancelled backend to go away while the lock is held");
    } finally {
      await holder.end();
    }
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM cancelled_via_socket", [], DB), [{ n: 0 }]);
  });

  it("a sql step stopped while it sets up its session never runs its statement", async () => {
    await pg.query("CREATE TABLE stopped_while_connecting (v int)", [], DB);
    const target = new URL(url);
    const upstream = { host: target.hostname, port: Number(target.port) };
    const controller = new AbortController();
    // A loopback proxy to the real server that stops the step the moment the client sends its
    // session setup (after connecting and authenticating, before the caller could listen for a stop).
    const proxy = createServer((client) => {
      const server = connect(upstream);
      client.on("data", (chunk: Buffer) => {
        if (chunk.includes("set_config('datestyle'")) controller.abort();
        server.write(chunk);
      });
      server.on("data", (chunk: Buffer) => client.write(chunk));
      const close = () => (client.destroy(), server.destroy());
      client.on("error", close).on("close", close);
      server.on("error", close).on("close", close);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    try {
      const port = (proxy.address() as { port: number }).port;
      target.host = `127.0.0.1:${port}`;
      const err = await runSqlStep({
        connection: pgConnection(target.toString()), connectionName: "db", baseDir: ".", templates, signal: controller.signal, logger: pino({ level: "silent" }), secrets: [],
        sql: { connection: "db", query: "INSERT INTO stopped_while_connecting VALUES (1)" },
      }).catch((e: unknown) => e);
      assert.ok(controller.signal.aborted, `the proxy saw the session setup (${String(err)})`);
      assert.ok(err instanceof ConnectorError && err.code === "aborted", String(err));
    } finally {
      proxy.close();
    }
    assert.deepEqual(await pg.query("SELECT count(*)::int AS n FROM stopped_while_connecting", [], DB), [{ n: 0 }]);
  });

  it("a restart mid-extract is transient, and the retry reads everything", async () => {
    await pg.query("CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 20000) AS g", [], DB);
    const result = await postgresConnector.extract(extractRequest(pgConnection(url), { table: "big" }));
    const iterator = result.records[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    await pg.restart();
    const err = await (async () => {
      for (;;) if ((await iterator.next()).done) return undefined;
    })().catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError, `expected a ConnectorError, got ${String(err)}`);
    assert.equal(err.transient, true, err.message);
    const retry = await waitFor(async () => postgresConnector.extract(extractRequest(pgConnection(url), { table: "big" })).catch(() => undefined), 15_000, "the server to come back");
    assert.equal((await collect(retry.records)).length, 20000);
  });

  it("serialization failures and deadlocks from the server are transient; syntax errors are permanent", async () => {
    const run = (query: string) =>
      runSqlStep({ connection: pgConnection(url), connectionName: "db", baseDir: ".", templates, signal: new AbortController().signal, logger: pino({ level: "silent" }), secrets: [], sql: { connection: "db", query } }).catch((e: unknown) => e);
    for (const code of ["40001", "40P01"]) {
      const err = await run(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '${code}'; END $$`);
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.transient, true, code);
      assert.equal(err.code, `postgres-${code}`);
    }
    const err = await run("SELEC 1");
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.match(err.message, /syntax error.*fix the SQL syntax/);
  });

  it("a wrong password is permanent and never shown; the real one never leaks either", async () => {
    const wrong = `wrong-${randomBytes(8).toString("hex")}`;
    const bad = `postgres://postgres:${wrong}@127.0.0.1:${pg.port}/${DB}`;
    const err = await postgresConnector.extract(extractRequest(pgConnection(bad), { table: "big" })).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.match(err.message, /password authentication failed.*check the connection's user and password/);
    assertNoSecret(err, wrong);
    const viaFields = await postgresConnector
      .load(loadRequest({ type: "postgres", host: "127.0.0.1", port: pg.port, database: DB, user: "postgres", password: wrong }, "t", stream([{ a: 1 }])))
      .catch((e: unknown) => e);
    assert.ok(viaFields instanceof ConnectorError);
    assertNoSecret(viaFields, wrong);
    const missing = await postgresConnector.load(loadRequest(pgConnection(url), "nope", stream([{ a: 1 }]), { create: false })).catch((e: unknown) => e);
    assertNoSecret(missing, pg.password);
  });

  it("a refused connection is transient and its message holds no password", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === "object" && a ? a.port : 1));
      });
    });
    const secret = `s3cret-${randomBytes(6).toString("hex")}`;
    const err = await postgresConnector.load(loadRequest(pgConnection(`postgres://u:${secret}@127.0.0.1:${port}/db`), "t", stream([{ a: 1 }]))).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, true, err.message);
    assert.match(err.message, /could not connect to PostgreSQL \(127\.0\.0\.1:\d+\/db\)/);
    assertNoSecret(err, secret);
  });
});
