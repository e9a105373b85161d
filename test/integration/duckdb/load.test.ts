/** DuckDB loads into a real database file: each mode, bookkeeping, all-or-nothing; values checked by DuckDB. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConnectorError, StepError } from "../../../server/src/errors";
import { duckdbConnector } from "../../../server/src/sources/duckdb";
import { closeDatabases } from "../../../server/src/sources/duckdb/engine";
import type { DataRecord } from "../../../server/src/sources/types";
import { loadRequest, ORDER_TYPES, orders, stream } from "../postgres/helpers";
import { testDuckdb } from "./helpers";

const db = testDuckdb("duckdb-load");
after(async () => {
  await closeDatabases();
  db.cleanup();
});

const load = (table: string, records: DataRecord[], o: Parameters<typeof loadRequest>[3] = {}) =>
  duckdbConnector.load(loadRequest(db.connection, table, stream(records), { columns: ORDER_TYPES, ...o }));

const COLUMNS = "id, name, CAST(amount AS VARCHAR) AS amount, ratio, paid, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS created_at, CAST(meta AS VARCHAR) AS meta";

/** The records as DuckDB reads them from a JSON Lines file (its own reader, not our load), cast like the table. */
async function reference(name: string, records: DataRecord[]): Promise<void> {
  const file = join(db.dir, `${name}.jsonl`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await db.run(
    `CREATE OR REPLACE TABLE ${name} AS SELECT id::BIGINT AS id, name, amount::DECIMAL(38,10) AS amount, ratio::DOUBLE AS ratio, paid, created_at::TIMESTAMPTZ AS created_at, meta::JSON AS meta
       FROM read_json('${file}', columns = {id: 'BIGINT', name: 'VARCHAR', amount: 'VARCHAR', ratio: 'DOUBLE', paid: 'BOOLEAN', created_at: 'VARCHAR', meta: 'JSON'})`,
  );
}

/** Rows in one table and not the other, both ways (0 and 0: the same multiset of rows). */
async function difference(a: string, b: string): Promise<[number, number]> {
  const count = async (x: string, y: string) => Number((await db.rows(`SELECT count(*) AS n FROM (SELECT ${COLUMNS} FROM ${x} EXCEPT ALL SELECT ${COLUMNS} FROM ${y})`))[0]?.["n"]);
  return [await count(a, b), await count(b, a)];
}

const count = async (table: string) => Number((await db.rows(`SELECT count(*) AS n FROM ${table}`))[0]?.["n"]);

describe("duckdb load", () => {
  it("appends into a table it creates from the records' types, every value intact", async () => {
    const records = orders(1, 2500);
    assert.equal((await load("appended", records)).rows, 2500);
    await reference("ref_append", records);
    assert.deepEqual(await difference("appended", "ref_append"), [0, 0]);
    const types = await db.rows("SELECT column_name || ':' || data_type AS c FROM duckdb_columns() WHERE table_name = 'appended' ORDER BY column_index");
    assert.deepEqual(types.map((t) => t["c"]), ["id:BIGINT", "name:VARCHAR", "amount:DECIMAL(38,10)", "ratio:DOUBLE", "paid:BOOLEAN", "created_at:TIMESTAMP WITH TIME ZONE", "meta:JSON"]);
  });

  it("is idempotent per (run_id, step_id): a retried append adds nothing, a new run appends again", async () => {
    const records = orders(1, 1200);
    assert.equal((await load("retried", records, { runId: "r1", stepId: "s" })).rows, 1200);
    assert.equal((await load("retried", records, { runId: "r1", stepId: "s" })).rows, 1200, "the skipped load reports the rows it loaded the first time");
    assert.equal(await count("retried"), 1200);
    await load("retried", records, { runId: "r2", stepId: "s" });
    assert.equal(await count("retried"), 2400);
    const book = await db.rows("SELECT run_id, step_id, target, mode, rows FROM _agent_etl_loads WHERE target = 'retried' ORDER BY run_id");
    assert.deepEqual(book, [
      { run_id: "r1", step_id: "s", target: "retried", mode: "append", rows: "1200" },
      { run_id: "r2", step_id: "s", target: "retried", mode: "append", rows: "1200" },
    ]);
  });

  it("replace leaves exactly this run's rows", async () => {
    await load("replaced", orders(1, 3000));
    const second = orders(2001, 2600, 2);
    await load("replaced", second, { mode: "replace" });
    await reference("ref_replaced", second);
    assert.deepEqual(await difference("replaced", "ref_replaced"), [0, 0]);
  });

  it("merge upserts on the key, creates the key's primary key, keeps the last record of a repeated key, and is idempotent", async () => {
    await load("merged", orders(1, 1000), { mode: "merge", key: ["id"], runId: "m1" });
    const pk = await db.rows("SELECT constraint_column_names AS c FROM duckdb_constraints() WHERE table_name = 'merged' AND constraint_type = 'PRIMARY KEY'");
    assert.deepEqual(pk, [{ c: ["id"] }]);
    const update = [...orders(501, 1500, 2), ...orders(1400, 1400, 3)];
    await load("merged", update, { mode: "merge", key: ["id"], runId: "m2" });
    await load("merged", update, { mode: "merge", key: ["id"], runId: "m2" });
    await reference("ref_merged", [...orders(1, 500), ...orders(501, 1399, 2), ...orders(1400, 1400, 3), ...orders(1401, 1500, 2)]);
    assert.deepEqual(await difference("merged", "ref_merged"), [0, 0]);
  });

  it("merge without a key says what is missing", async () => {
    await assert.rejects(load("nokey", orders(1, 3), { mode: "merge" }), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-merge-key" && /needs `key`/.test(err.message));
  });

  it("a bad value fails the whole load and leaves the table unchanged", async () => {
    await load("guarded", orders(1, 100));
    const bad = orders(101, 3000).map((r, i) => (i === 2500 ? { ...r, created_at: "not a time" } : r));
    await assert.rejects(load("guarded", bad), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-load" && /not a time/.test(err.message) && /unchanged/.test(err.message));
    assert.equal(await count("guarded"), 100);
    await assert.rejects(load("guarded", bad, { mode: "replace" }));
    assert.equal(await count("guarded"), 100, "a failed replace keeps the old rows");
  });

  it("decimals narrow and wide load exactly as DuckDB casts them, and text that is no number fails the whole load", async () => {
    const amounts = ["0.01", "-12345678.9999999999", "0.12345678905", "-99999999.99999999999", "123456789012345678901234.5", "1e3", "-0", null];
    const records = amounts.map((amount, i) => ({ id: i, amount }));
    await load("decimals", records, { columns: { id: "integer", amount: "decimal" } });
    const loaded = await db.rows("SELECT CAST(amount AS VARCHAR) AS amount FROM decimals ORDER BY id");
    const values = amounts.map((a) => (a === null ? "NULL" : `'${a}'`)).join("), (");
    const expected = await db.rows(`SELECT CAST(CAST(v AS DECIMAL(38,10)) AS VARCHAR) AS amount FROM (VALUES (${values})) t(v)`);
    assert.deepEqual(loaded, expected);
    await assert.rejects(load("decimals", [{ id: 9, amount: "12.5" }, { id: 10, amount: "twelve" }], { columns: { id: "integer", amount: "decimal" } }), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-load" && /twelve/.test(err.message));
    assert.equal(await count("decimals"), amounts.length);
  });

  it("an error of the records' producer is passed on as it is, and nothing is loaded", async () => {
    await load("producer", orders(1, 10));
    async function* failing(): AsyncGenerator<DataRecord> {
      yield* orders(11, 2000);
      throw new StepError("cast-failed", "row 2001: amount is not a number");
    }
    await assert.rejects(duckdbConnector.load(loadRequest(db.connection, "producer", failing(), { columns: ORDER_TYPES })), (err: unknown) => err instanceof StepError && err.code === "cast-failed");
    assert.equal(await count("producer"), 10);
  });

  it("a missing table with create: false, and a column the table lacks, fail with how to fix it", async () => {
    await assert.rejects(load("absent", orders(1, 2), { create: false }), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-no-table" && /create: true/.test(err.message));
    await db.run("CREATE TABLE narrow (id BIGINT)");
    await assert.rejects(load("narrow", [{ id: 1, extra: "x" }]), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-unknown-column" && /"extra"/.test(err.message) && /has id/.test(err.message));
  });

  it("an aborted load stops and leaves the table unchanged", async () => {
    await load("aborted", orders(1, 5));
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<DataRecord> {
      yield* orders(6, 3000);
      controller.abort();
      yield* orders(3001, 3010);
    }
    await assert.rejects(duckdbConnector.load(loadRequest(db.connection, "aborted", slow(), { columns: ORDER_TYPES, signal: controller.signal })), (err: unknown) => err instanceof ConnectorError && err.code === "aborted");
    assert.equal(await count("aborted"), 5);
  });

  it("zero records: replace empties the table, append leaves it", async () => {
    await load("emptied", orders(1, 7));
    await load("emptied", [], { mode: "append" });
    assert.equal(await count("emptied"), 7);
    await load("emptied", [], { mode: "replace" });
    assert.equal(await count("emptied"), 0);
  });

  it("quotes odd identifiers: schema and table names with spaces, quotes and capitals", async () => {
    await db.run(`CREATE SCHEMA "Odd ""Schema"""`);
    await load(`"Odd ""Schema"""."My Table"`, orders(1, 3));
    assert.equal(await count(`"Odd ""Schema"""."My Table"`), 3);
    assert.equal(Number((await db.rows(`SELECT count(*) AS n FROM "Odd ""Schema""".${"_agent_etl_loads"}`))[0]?.["n"]), 1, "the bookkeeping lives in the target's schema");
  });
});
