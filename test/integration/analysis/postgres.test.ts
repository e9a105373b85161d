/** PostgreSQL catalog analysis and query description against a real server. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pgLib from "pg";
import { ConnectorError } from "../../../server/src/errors";
import type { Connection } from "../../../server/src/pipeline/model";
import type { AnalyzeContext } from "../../../server/src/sources/analysis/types";
import { analyzePostgresCatalog, describeQuery, postgresAnalysisStats } from "../../../server/src/sources/postgres/analyze";
import { startPostgres, type TestPostgres } from "../../support/postgres";

const DB = "analysis_catalog";
let pg: TestPostgres;
let url: string;

const SCHEMA = `
CREATE SCHEMA "Sales";
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, country char(2), meta jsonb, tags text[]);
CREATE TABLE "Sales"."Orders" (region text, order_no int, customer_id bigint REFERENCES customers (id), amount numeric(12,2), placed_at timestamptz, PRIMARY KEY (region, order_no));
CREATE TABLE "Sales"."Order Items" (region text, order_no int, line int, sku text, qty int NOT NULL,
  PRIMARY KEY (region, order_no, line),
  CONSTRAINT items_order_fk FOREIGN KEY (order_no, region) REFERENCES "Sales"."Orders" (order_no, region));
CREATE VIEW big_customers AS SELECT id, email FROM customers WHERE id > 10;
CREATE MATERIALIZED VIEW "Sales".totals AS SELECT region, sum(amount) AS total FROM "Sales"."Orders" GROUP BY region;
CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
CREATE TABLE counted (n positive_int, d date, flag boolean, score real);
INSERT INTO customers SELECT g, 'c' || g || '@x', 'DE' FROM generate_series(1, 500) g;
ANALYZE customers;
`;

function ctx(extra: Partial<AnalyzeContext> = {}, connection: Partial<Connection> = {}): AnalyzeContext {
  return { connection: { type: "postgres", url, ...connection } as Connection, connectionName: "db", baseDir: process.cwd(), secrets: [], ...extra };
}

before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase(DB);
  await pg.query(SCHEMA, [], DB);
});
after(async () => pg?.stop());

describe("postgres catalog analysis", () => {
  it("lists user schemas, every relation kind, columns with types, keys and estimates", async () => {
    const before = postgresAnalysisStats();
    const catalog = await analyzePostgresCatalog(ctx());
    const after = postgresAnalysisStats();
    assert.equal(after.catalogQueries - before.catalogQueries, 4, "one query per kind: schemas, relations, columns, constraints");
    assert.deepEqual(catalog.schemas, ["Sales", "public"]);
    assert.equal(catalog.defaultSchema, "public");
    const find = (schema: string, name: string) => catalog.tables.find((t) => t.schema === schema && t.name === name);
    const customers = find("public", "customers");
    assert.ok(customers);
    assert.equal(customers.kind, "table");
    assert.deepEqual(customers.primaryKey, ["id"]);
    assert.equal(customers.rowEstimate, 500);
    assert.deepEqual(
      customers.columns.map((c) => [c.name, c.type, c.nullable, c.sqlType]),
      [
        ["id", "integer", false, "bigint"],
        ["email", "string", false, "text"],
        ["country", "string", true, "character(2)"],
        ["meta", "json", true, "jsonb"],
        ["tags", "json", true, "text[]"],
      ],
    );
    const items = find("Sales", "Order Items");
    assert.ok(items);
    assert.deepEqual(items.primaryKey, ["region", "order_no", "line"]);
    assert.deepEqual(items.foreignKeys, [{ name: "items_order_fk", columns: ["order_no", "region"], references: { schema: "Sales", table: "Orders", columns: ["order_no", "region"] } }]);
    const orders = find("Sales", "Orders");
    assert.deepEqual(orders?.foreignKeys.map((f) => [f.columns, f.references]), [[["customer_id"], { schema: "public", table: "customers", columns: ["id"] }]]);
    assert.equal(orders?.columns.find((c) => c.name === "amount")?.type, "decimal");
    assert.equal(find("public", "big_customers")?.kind, "view");
    assert.equal(find("public", "big_customers")?.rowEstimate, null);
    assert.equal(find("Sales", "totals")?.kind, "materialized_view");
    assert.equal(find("public", "events")?.kind, "partitioned_table");
    assert.equal(find("public", "events_2024")?.kind, "table");
    assert.deepEqual(find("public", "events_2024")?.partitionOf, { schema: "public", table: "events" });
    assert.equal(find("public", "events")?.partitionOf, undefined);
    assert.deepEqual(
      find("public", "counted")?.columns.map((c) => [c.name, c.type]),
      [
        ["n", "integer"],
        ["d", "date"],
        ["flag", "boolean"],
        ["score", "number"],
      ],
    );
  });

  it("takes the default schema from the connection's `schema`", async () => {
    const catalog = await analyzePostgresCatalog(ctx({}, { schema: "Sales" }));
    assert.equal(catalog.defaultSchema, "Sales");
  });

  it("describes a query without running it for rows, templates rendered as literals", async () => {
    const described = await describeQuery(ctx(), `SELECT o.region AS "Region", o.amount, c.email, now() AS at FROM "Sales"."Orders" o JOIN customers c ON c.id = o.customer_id WHERE o.placed_at > {{ ds }};`);
    assert.deepEqual(
      described.columns.map((c) => [c.name, c.type, c.sqlType]),
      [
        ["Region", "string", "text"],
        ["amount", "decimal", "numeric(12,2)"],
        ["email", "string", "text"],
        ["at", "timestamp", "timestamp with time zone"],
      ],
    );
  });

  it("describes a query that ends in a comment", async () => {
    const described = await describeQuery(ctx(), "SELECT 1 AS one -- the answer");
    assert.deepEqual(described.columns.map((c) => [c.name, c.type, c.sqlType]), [["one", "integer", "integer"]]);
  });

  it("refuses a query that writes, and one that tries to leave the read-only transaction", async () => {
    await assert.rejects(describeQuery(ctx(), "WITH d AS (DELETE FROM customers RETURNING id) SELECT * FROM d"), (err: unknown) => err instanceof ConnectorError);
    await assert.rejects(describeQuery(ctx(), "SELECT 1) q; COMMIT; DROP TABLE customers; SELECT * FROM (SELECT 1"), (err: unknown) => err instanceof ConnectorError);
    const [row] = await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM customers", [], DB);
    assert.equal(row?.n, 500);
  });

  it("a failing query gets hints for a query being described, not a load's", async () => {
    await assert.rejects(describeQuery(ctx(), "SELECT * FROM no_such_table"), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, "postgres-42P01");
      assert.match(err.message, /describing the query failed.*check the table names in the query/);
      assert.doesNotMatch(err.message, /create: true/);
      return true;
    });
    // Templates are bound as NULL to describe a query: a param compared with an integer column fits.
    const described = await describeQuery(ctx(), "SELECT id FROM customers WHERE id = {{ params.customer }}");
    assert.deepEqual(described.columns.map((c) => c.name), ["id"]);
    await assert.rejects(describeQuery(ctx(), "SELECT * FROM customers WHERE id = 'x' OR id = {{ params.customer }}"), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.code, "postgres-22P02");
      assert.match(err.message, /analysis binds NULL in place of each template/);
      assert.doesNotMatch(err.message, /`cast` transform/);
      return true;
    });
  });

  it("stops at the statement timeout (a table locked by another session)", async () => {
    const locker = new pgLib.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query("BEGIN; LOCK TABLE counted IN ACCESS EXCLUSIVE MODE");
      await assert.rejects(describeQuery(ctx({ timeoutMs: 300 }), "SELECT * FROM counted"), (err: unknown) => {
        assert.ok(err instanceof ConnectorError);
        assert.match(err.message, /statement timeout/);
        return true;
      });
    } finally {
      await locker.end();
    }
  });

  it("reports bad credentials without the password", async () => {
    const bad = url.replace(`:${pg.password}@`, ":Wr0ng-Secret-Pw-123@");
    await assert.rejects(analyzePostgresCatalog({ ...ctx(), connection: { type: "postgres", url: bad } as Connection, secrets: ["Wr0ng-Secret-Pw-123"] }), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.doesNotMatch(err.message, /Wr0ng-Secret-Pw-123/);
      assert.match(err.message, /password/);
      return true;
    });
  });
});
