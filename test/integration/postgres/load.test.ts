/** PostgreSQL loads against a real server: each mode, exact rows and checksums computed by PostgreSQL. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConnectorError, StepError } from "../../../server/src/errors";
import pgLib from "pg";
import { postgresConnector } from "../../../server/src/sources/postgres";
import { mergeFromStage } from "../../../server/src/sources/postgres/loadModes";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { checksum, loadRequest, ORDER_TYPES, orders, pgConnection, referenceTable, stream } from "./helpers";

const DB = "loads";
let pg: TestPostgres;
let url: string;

before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase(DB);
});
after(async () => pg?.stop());

const load = (table: string, records: ReturnType<typeof orders>, o: Parameters<typeof loadRequest>[3] = {}) =>
  postgresConnector.load(loadRequest(pgConnection(url), table, stream(records), { columns: ORDER_TYPES, ...o }));

describe("postgres load", () => {
  it("appends into a table it creates from the records' types, every value intact", async () => {
    const records = orders(1, 2500);
    const result = await load("public.appended", records);
    assert.equal(result.rows, 2500);
    await referenceTable(pg, DB, "ref_append", records);
    assert.deepEqual(await checksum(pg, DB, "appended"), await checksum(pg, DB, "ref_append"));
    const types = await pg.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'appended' ORDER BY ordinal_position",
      [],
      DB,
    );
    assert.deepEqual(
      types.map((t) => `${t.column_name}:${t.data_type}`),
      ["id:bigint", "name:text", "amount:numeric", "ratio:double precision", "paid:boolean", "created_at:timestamp with time zone", "meta:jsonb"],
    );
  });

  it("infers types from values when no column types are given", async () => {
    await postgresConnector.load(loadRequest(pgConnection(url), "inferred", stream([{ a: 1, b: 1.5, c: true, d: "x", e: { k: 1 }, f: null }, { a: 2, b: 2, f: "y" }])));
    const types = await pg.query<{ c: string }>("SELECT column_name || ':' || data_type AS c FROM information_schema.columns WHERE table_name = 'inferred' ORDER BY ordinal_position", [], DB);
    assert.deepEqual(types.map((t) => t.c), ["a:bigint", "b:double precision", "c:boolean", "d:text", "e:jsonb", "f:text"]);
  });

  it("json columns: declared json values (even strings) become JSON; undeclared JSON text passes through", async () => {
    const records = [{ id: 1, doc: "hello", raw: '{"a": [1, 2]}' }, { id: 2, doc: { k: [true, null] }, raw: "[3]" }, { id: 3, doc: 42, raw: null }];
    await postgresConnector.load(loadRequest(pgConnection(url), "docs", stream(records), { columns: { doc: "json" } }));
    await pg.query("ALTER TABLE docs ALTER COLUMN raw TYPE jsonb USING raw::jsonb", [], DB);
    await postgresConnector.load(loadRequest(pgConnection(url), "docs", stream(records), { columns: { doc: "json" } }));
    const rows = await pg.query<{ doc: string; raw: string | null }>("SELECT doc::text, raw::text FROM docs ORDER BY id, ctid", [], DB);
    assert.deepEqual(rows.map((r) => r.doc), ['"hello"', '"hello"', '{"k": [true, null]}', '{"k": [true, null]}', "42", "42"]);
    assert.deepEqual(rows.map((r) => r.raw), ['{"a": [1, 2]}', '{"a": [1, 2]}', "[3]", "[3]", null, null]);
  });

  it("is idempotent per (run_id, step_id): a retried append adds nothing, a new run appends again", async () => {
    const records = orders(1, 1200);
    assert.equal((await load("retried", records, { runId: "r1", stepId: "s" })).rows, 1200);
    assert.equal((await load("retried", records, { runId: "r1", stepId: "s" })).rows, 1200);
    assert.equal((await checksum(pg, DB, "retried")).rows, 1200);
    await load("retried", records, { runId: "r2", stepId: "s" });
    assert.equal((await checksum(pg, DB, "retried")).rows, 2400);
    const book = await pg.query<{ n: string }>("SELECT count(*) AS n FROM _agent_etl_loads WHERE target = 'retried'", [], DB);
    assert.equal(Number(book[0]?.n), 2);
  });

  it("replace leaves exactly this run's rows", async () => {
    await load("replaced", orders(1, 3000));
    const records = orders(501, 1700, 2);
    assert.equal((await load("replaced", records, { mode: "replace" })).rows, 1200);
    await referenceTable(pg, DB, "ref_replace", records);
    assert.deepEqual(await checksum(pg, DB, "replaced"), await checksum(pg, DB, "ref_replace"));
  });

  it("replace works on a table other tables reference (DELETE instead of TRUNCATE)", async () => {
    await pg.query("CREATE TABLE parent (id bigint PRIMARY KEY, name text)", [], DB);
    await pg.query("CREATE TABLE child (pid bigint REFERENCES parent(id))", [], DB);
    await pg.query("INSERT INTO parent VALUES (1, 'old'), (2, 'old')", [], DB);
    await postgresConnector.load(loadRequest(pgConnection(url), "parent", stream([{ id: 3, name: "new" }]), { mode: "replace" }));
    assert.deepEqual(await pg.query("SELECT id::int, name FROM parent", [], DB), [{ id: 3, name: "new" }]);
  });

  it("merge upserts on the key, creates the key's primary key, and is idempotent", async () => {
    await load("merged", orders(1, 1000), { mode: "merge", key: "id" });
    const second = orders(501, 1500, 2);
    await load("merged", second, { mode: "merge", key: "id" });
    const expected = [...orders(1, 500), ...second];
    await referenceTable(pg, DB, "ref_merge", expected);
    const want = await checksum(pg, DB, "ref_merge");
    assert.deepEqual(await checksum(pg, DB, "merged"), want);
    await load("merged", second, { mode: "merge", key: "id" });
    assert.deepEqual(await checksum(pg, DB, "merged"), want);
    const pk = await pg.query("SELECT 1 FROM pg_constraint WHERE conrelid = 'merged'::regclass AND contype = 'p'", [], DB);
    assert.equal(pk.length, 1);
  });

  it("merge gives the same table with MERGE (PostgreSQL 15+) and with INSERT … ON CONFLICT (before 15), repeated keys included", async () => {
    const client = new pgLib.Client({ connectionString: url });
    await client.connect();
    try {
      const tables: Record<string, unknown>[][] = [];
      for (const version of [150000, 140000]) {
        const t = `merge_${version}`;
        await client.query(`CREATE TABLE ${t} (k bigint PRIMARY KEY, v text, n numeric, d json)`);
        await client.query(`INSERT INTO ${t} VALUES (1, 'same', 1.50, '{"a":1}'), (2, 'old', 1.50, '{"a":1}'), (3, 'same', 1.50, '{"a":1}')`);
        const before = (await client.query(`SELECT xmin::text AS x FROM ${t} WHERE k = 1`)).rows[0]?.x as string;
        await client.query("BEGIN");
        await client.query("CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT k, v, n, d FROM " + t + " WITH NO DATA");
        // 1 unchanged, 2 changed, 3 rescaled (1.5 ≠ 1.50), 4 new, 5 new twice (the last wins)
        await client.query(`INSERT INTO stage VALUES (1, 'same', 1.50, '{"a":1}'), (2, 'new', 1.50, '{"a":1}'), (3, 'same', 1.5, '{"a":1}'), (4, 'x', 2, '[]'), (5, 'first', 1, null), (5, 'last', 1, null)`);
        const types = new Map([["k", "bigint"], ["v", "text"], ["n", "numeric"], ["d", "json"]]);
        await mergeFromStage(client, t, "pg_temp.stage", ["k", "v", "n", "d"], ["k"], types, version);
        await client.query("COMMIT");
        tables.push((await client.query(`SELECT k::int, v, n::text, d::text, k <> 1 OR xmin::text = $1 AS untouched FROM ${t} ORDER BY k`, [before])).rows);
      }
      assert.deepEqual(tables[0], tables[1]);
      assert.deepEqual(
        tables[0]?.map((r) => [r.k, r.v, r.n]),
        [[1, "same", "1.50"], [2, "new", "1.50"], [3, "same", "1.5"], [4, "x", "2"], [5, "last", "1"]],
      );
      assert.ok(tables.every((rows) => rows[0]?.untouched === true), "an unchanged row keeps its row version");
    } finally {
      await client.end();
    }
  });

  it("merge raises work_mem for its own transaction only, and never lowers a larger setting", async () => {
    const client = new pgLib.Client({ connectionString: url });
    await client.connect();
    const workMem = async () => (await client.query("SHOW work_mem")).rows[0]?.work_mem as string;
    const mergeOnce = async (t: string): Promise<string> => {
      await client.query(`CREATE TABLE ${t} (k bigint PRIMARY KEY, v text)`);
      await client.query("BEGIN");
      await client.query(`CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT k, v FROM ${t} WITH NO DATA`);
      await client.query("INSERT INTO stage VALUES (1, 'a')");
      await mergeFromStage(client, t, "pg_temp.stage", ["k", "v"], ["k"], new Map([["k", "bigint"], ["v", "text"]]), 150000);
      const during = await workMem();
      await client.query("COMMIT");
      return during;
    };
    try {
      await client.query("SET work_mem = '4MB'");
      assert.equal(await mergeOnce("wm_small"), "64MB");
      assert.equal(await workMem(), "4MB", "the session's setting is back after the commit");
      await client.query("SET work_mem = '128MB'");
      assert.equal(await mergeOnce("wm_large"), "128MB");
    } finally {
      await client.end();
    }
  });

  it("merge with a key repeated in the records keeps the last record of each key", async () => {
    const records = [{ k: 1, v: "a" }, { k: 2, v: "b" }, { k: 1, v: "c" }];
    await postgresConnector.load(loadRequest(pgConnection(url), "dupes", stream(records), { mode: "merge", key: ["k"] }));
    assert.deepEqual(await pg.query("SELECT k::int, v FROM dupes ORDER BY k", [], DB), [{ k: 1, v: "c" }, { k: 2, v: "b" }]);
  });

  it("merge into an existing table without a unique index explains how to add one", async () => {
    await pg.query("CREATE TABLE nokey (id bigint, v text)", [], DB);
    const err = await postgresConnector.load(loadRequest(pgConnection(url), "nokey", stream([{ id: 1, v: "x" }]), { mode: "merge", key: "id" })).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.match(err.message, /primary key or unique index on \(id\).*CREATE UNIQUE INDEX ON nokey \("id"\)/);
  });

  it("quotes odd identifiers: schema and table names with spaces, quotes, dots and capitals", async () => {
    await pg.query('CREATE SCHEMA "My Schema"', [], DB);
    const records = [{ "Select": 1, "a b": "x", "naïve\"col": true, "drop table x;": null }];
    const table = '"My Schema"."Order ""Items"".v2"';
    await postgresConnector.load(loadRequest(pgConnection(url), table, stream(records), { mode: "merge", key: "Select" }));
    await postgresConnector.load(loadRequest(pgConnection(url), table, stream([{ ...records[0], "a b": "y" }]), { mode: "merge", key: "Select" }));
    const rows = await pg.query(`SELECT * FROM ${table}`, [], DB);
    assert.deepEqual(rows, [{ Select: "1", "a b": "y", 'naïve"col': true, "drop table x;": null }]);
  });

  it("a bad value fails permanently, names the column, and leaves the table unchanged", async () => {
    await pg.query("CREATE TABLE strict_types (id integer, amount numeric)", [], DB);
    await pg.query("INSERT INTO strict_types VALUES (1, 1.5)", [], DB);
    const before = await checksum(pg, DB, "strict_types", "id, amount");
    const records = [...Array.from({ length: 1500 }, (_, i) => ({ id: i + 10, amount: "2.5" })), { id: 99999, amount: "not a number" }];
    const err = await postgresConnector.load(loadRequest(pgConnection(url), "strict_types", stream(records))).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.match(err.message, /not a number/);
    assert.match(err.message, /at record 1501, column amount: "not a number"/);
    assert.match(err.message, /add a `cast` transform or fix the data/, "the records are the load's to fix");
    assert.doesNotMatch(err.message, /--param/);
    assert.deepEqual(await checksum(pg, DB, "strict_types", "id, amount"), before);
  });

  it("rows that break a unique key point at merge or dedupe, the load's own fixes", async () => {
    await pg.query("CREATE TABLE keyed (id bigint PRIMARY KEY)", [], DB);
    const err = await postgresConnector.load(loadRequest(pgConnection(url), "keyed", stream([{ id: 1 }, { id: 1 }]))).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.code, "postgres-23505");
    assert.match(err.message, /use `mode: merge` with `key`, or `dedupe` the records/);
  });

  it("an error of the records' producer is passed on as it is, and nothing is loaded", async () => {
    async function* failing() {
      yield* orders(1, 1500);
      throw new StepError("cast", "row 1501: \"x\" is not an integer");
    }
    const err = await postgresConnector.load(loadRequest(pgConnection(url), "producer_failed", failing(), { columns: ORDER_TYPES })).catch((e: unknown) => e);
    assert.ok(err instanceof StepError);
    assert.equal(err.code, "cast");
    assert.equal((await pg.query("SELECT to_regclass('producer_failed') AS t", [], DB))[0]?.t, null, "the table created in the load's transaction is gone too");
  });

  it("a missing table with create: false fails permanently with how to fix it", async () => {
    const err = await postgresConnector.load(loadRequest(pgConnection(url), "absent", stream([{ a: 1 }]), { create: false })).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.equal(err.transient, false);
    assert.match(err.message, /table absent does not exist.*create: true/);
  });

  it("a record with a column the table lacks fails with the table's columns", async () => {
    await pg.query("CREATE TABLE narrow (id bigint)", [], DB);
    const err = await postgresConnector.load(loadRequest(pgConnection(url), "narrow", stream([{ id: 1, extra: 2 }]))).catch((e: unknown) => e);
    assert.ok(err instanceof ConnectorError);
    assert.match(err.message, /no column "extra".*the table has id/);
  });

  it("zero records: replace empties the table, append leaves it", async () => {
    await load("emptied", orders(1, 10));
    await postgresConnector.load(loadRequest(pgConnection(url), "emptied", stream([])));
    assert.equal((await checksum(pg, DB, "emptied")).rows, 10);
    await postgresConnector.load(loadRequest(pgConnection(url), "emptied", stream([]), { mode: "replace" }));
    assert.equal((await checksum(pg, DB, "emptied")).rows, 0);
  });
});
