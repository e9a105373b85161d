/** DuckDB extracts, `sql` steps and live analysis against a real database file. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConnectorError } from "../../../server/src/errors";
import { duckdbConnector } from "../../../server/src/sources/duckdb";
import { analyzeDuckdb } from "../../../server/src/sources/duckdb/analyze";
import { closeDatabases } from "../../../server/src/sources/duckdb/engine";
import { collect, extractRequest, logger, templates } from "../postgres/helpers";
import { testDuckdb } from "./helpers";

const db = testDuckdb("duckdb-extract");
before(async () => {
  await db.run(`CREATE TABLE orders (id INTEGER PRIMARY KEY, name VARCHAR, amount DECIMAL(10,2), paid BOOLEAN, day DATE, meta JSON, tags VARCHAR[]);
    INSERT INTO orders SELECT i, 'n' || i, i * 1.25, i % 2 = 0, DATE '2024-01-01' + i::INTEGER, '{"k":' || i || '}', ['a', 't' || i] FROM range(1, 5001) t(i);
    CREATE TABLE lines (order_id INTEGER REFERENCES orders (id), qty INTEGER);
    CREATE VIEW paid_orders AS SELECT id, amount FROM orders WHERE paid`);
});
after(async () => {
  await closeDatabases();
  db.cleanup();
});

describe("duckdb extract", () => {
  it("reads a whole table in chunks with its column types, JSON as values", async () => {
    const result = await duckdbConnector.extract(extractRequest(db.connection, { table: "orders" }));
    const rows = await collect(result.records);
    assert.equal(rows.length, 5000);
    assert.deepEqual(result.columns, { id: "integer", name: "string", amount: "decimal", paid: "boolean", day: "date", meta: "json", tags: "json" });
    assert.deepEqual(rows[3], { id: 4, name: "n4", amount: "5.00", paid: true, day: "2024-01-05", meta: { k: 4 }, tags: ["a", "t4"] });
  });

  it("reads a query with templates bound as parameters, `columns`, and an incremental mark", async () => {
    const query = "SELECT id, name, day FROM orders WHERE name LIKE {{ params.pattern }}";
    const result = await duckdbConnector.extract(extractRequest(db.connection, { query, columns: ["name"], incremental: { column: "id" } }, 4990, { pattern: "n49%" }));
    const rows = await collect(result.records);
    assert.deepEqual(rows, Array.from({ length: 9 }, (_, i) => ({ name: `n${4991 + i}` })));
    assert.equal(result.highWater?.(), 4999);
  });

  it("a query naming an unknown table fails with DuckDB's message", async () => {
    await assert.rejects(duckdbConnector.extract(extractRequest(db.connection, { query: "SELECT * FROM nowhere" })), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-extract" && /nowhere/.test(err.message));
  });
});

describe("duckdb sql step", () => {
  const sql = async (query: string) => (duckdbConnector.runSql as NonNullable<typeof duckdbConnector.runSql>)({ connection: db.connection, connectionName: "db", baseDir: process.cwd(), templates: { ...templates, params: { cut: "100" } }, signal: new AbortController().signal, logger, secrets: [], query });

  it("runs several statements, templates bound, and reports the last one's rows", async () => {
    const result = await sql("CREATE TABLE big AS SELECT * FROM orders WHERE id > 4000; DELETE FROM big WHERE id <= 4000 + CAST({{ params.cut }} AS INTEGER)");
    assert.deepEqual(result, { rows: 100 });
    assert.deepEqual(await db.rows("SELECT count(*)::INTEGER AS n FROM big"), [{ n: 900 }]);
  });

  it("is all-or-nothing: a failing statement undoes the ones before it", async () => {
    await assert.rejects(sql("DELETE FROM orders; SELECT * FROM nowhere"), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-sql" && /nothing it did was kept/.test(err.message));
    assert.deepEqual(await db.rows("SELECT count(*)::INTEGER AS n FROM orders"), [{ n: 5000 }]);
  });
});

describe("duckdb analysis", () => {
  const ctx = () => ({ connection: db.connection, connectionName: "wh", baseDir: process.cwd(), secrets: [] });

  it("lists tables and views with columns, keys and row estimates, opening the file read-only while a run holds it", async () => {
    const catalog = await analyzeDuckdb(ctx(), { kind: "catalog" });
    assert.equal(catalog.kind, "catalog");
    if (catalog.kind !== "catalog") return;
    assert.equal(catalog.defaultSchema, "main");
    const orders = catalog.tables.find((t) => t.name === "orders");
    assert.deepEqual(orders?.columns.map((c) => `${c.name}:${c.type}:${c.sqlType}`), ["id:integer:INTEGER", "name:string:VARCHAR", "amount:decimal:DECIMAL(10,2)", "paid:boolean:BOOLEAN", "day:date:DATE", "meta:json:JSON", "tags:json:VARCHAR[]"]);
    assert.deepEqual(orders?.primaryKey, ["id"]);
    assert.equal(orders?.rowEstimate, 5000);
    const lines = catalog.tables.find((t) => t.name === "lines");
    assert.deepEqual(lines?.foreignKeys.map((f) => [f.columns, f.references.table, f.references.columns]), [[["order_id"], "orders", ["id"]]]);
    assert.equal(catalog.tables.find((t) => t.name === "paid_orders")?.kind, "view");
  });

  it("describes a query's columns without running it, and refuses to touch other files", async () => {
    const described = await analyzeDuckdb(ctx(), { kind: "query-columns", query: "SELECT id, amount * 2 AS double_amount FROM orders WHERE day > {{ ds }}" });
    assert.deepEqual(described, { kind: "query-columns", columns: [{ name: "id", type: "integer", sqlType: "INTEGER" }, { name: "double_amount", type: "decimal", sqlType: "DECIMAL(18,2)" }] });
    await assert.rejects(analyzeDuckdb(ctx(), { kind: "query-columns", query: "SELECT * FROM read_text('/etc/hostname')" }), (err: unknown) => err instanceof ConnectorError && /disabled|external/i.test(err.message));
  });

  it("a file that does not exist yet says a load will create it", async () => {
    await assert.rejects(analyzeDuckdb({ ...ctx(), connection: { type: "duckdb", path: `${db.dir}/none.duckdb` } as never }, { kind: "catalog" }), (err: unknown) => err instanceof ConnectorError && err.code === "duckdb-no-file");
  });
});
