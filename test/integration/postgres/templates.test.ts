/**
 * Templates never become SQL, against a real server: every hostile value, in every place a template
 * may stand (extract queries, sql steps of one or several statements, DDL that takes no parameters),
 * arrives as exactly that value, and a template inside a literal or a comment is refused before any
 * statement runs. A sentinel table proves nothing else happened.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import pino from "pino";
import { ConnectorError } from "../../../server/src/errors";
import { postgresConnector, runSqlStep } from "../../../server/src/sources/postgres";
import { describeQuery } from "../../../server/src/sources/postgres/analyze";
import { project, runCli } from "../runner/helpers";
import { collect, extractRequest, pgConnection, templates, testDatabase } from "./helpers";

const DB = "templates";

/** Values that would end a literal, a comment or a dollar quote, or smuggle a template, if spliced. */
const HOSTILE = [
  "' OR true OR name = '",
  "x'; DROP TABLE sentinel; --",
  "x\\'; DROP TABLE sentinel; --",
  "*/ DROP TABLE sentinel; /*",
  "\nDROP TABLE sentinel; --",
  "\r\nDROP TABLE sentinel;\r\n",
  "$$; DROP TABLE sentinel; $$",
  "$agent_etl$; DROP TABLE sentinel; $agent_etl$",
  '"; DROP TABLE sentinel; --',
  "'||(SELECT count(*) FROM sentinel)||'",
  "E'\\x27; DROP TABLE sentinel; --",
  "{{ params.p }}",
  "é'💥\u2028\t",
  "",
];

async function sentinelIntact(): Promise<void> {
  const rows = await db.pg.query<{ n: number }>("SELECT count(*)::int AS n FROM sentinel", [], DB);
  assert.equal(rows[0]?.n, 3, "the sentinel table still holds its rows");
}

const sqlRequest = (query: string, params: Record<string, string>) => ({
  connection: pgConnection(db.url), connectionName: "db", baseDir: ".", templates: { ...templates, params }, signal: new AbortController().signal,
  logger: pino({ level: "silent" }), secrets: [], sql: { connection: "db", query },
});

async function extracted(query: string, p: string): Promise<Record<string, unknown>[]> {
  return collect((await postgresConnector.extract(extractRequest(pgConnection(db.url), { query }, undefined, { p }))).records);
}

const db = testDatabase(DB, (pg) => pg.query("CREATE TABLE sentinel (id int); INSERT INTO sentinel VALUES (1), (2), (3); CREATE TABLE log (v text); CREATE TABLE items (name text)", [], DB));

describe("templates in SQL are values, whatever they hold", () => {
  for (const [i, value] of HOSTILE.entries()) {
    it(`value ${i}: ${JSON.stringify(value)}`, async () => {
      await db.pg.query("TRUNCATE log; TRUNCATE items", [], DB);
      await db.pg.query("INSERT INTO items VALUES ('a'), ($1)", [value], DB);
      // An extract: the value comes back as itself, typed by where it stands or as text.
      assert.deepEqual(await extracted("SELECT {{ params.p }} AS v", value), [{ v: value }]);
      assert.deepEqual(await extracted("SELECT name FROM items WHERE name = {{ params.p }}", value), [{ name: value }]);
      assert.deepEqual(await extracted("SELECT count(*)::int AS n FROM items WHERE '<' || name || '>' = '<'||{{ params.p }}||'>' AND name = {{params.p}}", value), [{ n: 1 }]);
      // One statement, then several in one transaction, then DDL that takes no parameters.
      await runSqlStep(sqlRequest("INSERT INTO log (v) VALUES ({{ params.p }})", { p: value }));
      await runSqlStep(sqlRequest("DELETE FROM items WHERE name = {{ params.p }};\nINSERT INTO log (v) SELECT {{ params.p }} -- a note\n;", { p: value }));
      await runSqlStep(sqlRequest("COMMENT ON TABLE log IS {{ params.p }}; CREATE TABLE copy AS SELECT {{ params.p }}::text AS v", { p: value }));
      assert.deepEqual(await db.pg.query("SELECT v FROM log", [], DB), [{ v: value }, { v: value }]);
      assert.deepEqual(await db.pg.query("SELECT name FROM items", [], DB), [{ name: "a" }]);
      assert.deepEqual(await db.pg.query("SELECT v, coalesce(obj_description('log'::regclass), '') AS c FROM copy", [], DB), [{ v: value, c: value }]);
      await db.pg.query("DROP TABLE copy", [], DB);
      await sentinelIntact();
    });
  }

  it("a value PostgreSQL text cannot hold (NUL) fails the statement, and changes nothing", async () => {
    await assert.rejects(runSqlStep(sqlRequest("INSERT INTO log (v) VALUES ({{ params.p }})", { p: "a\0b; DROP TABLE sentinel" })), ConnectorError);
    await assert.rejects(runSqlStep(sqlRequest("CREATE TABLE nul AS SELECT {{ params.p }} AS v", { p: "a\0b" })), /NUL/);
    await sentinelIntact();
  });
});

describe("a template in a literal or a comment is refused before anything runs", () => {
  const places = [
    "DELETE FROM sentinel WHERE id::text = '{{ params.p }}'",
    "DELETE FROM sentinel WHERE id::text = E'{{ params.p }}'",
    "DELETE FROM sentinel WHERE id = 1 -- {{ params.p }}\n AND false",
    "DELETE FROM sentinel WHERE id = 1 /* {{ params.p }} */ AND false",
    "DO $$ BEGIN DELETE FROM sentinel WHERE id::text = '{{ params.p }}'; END $$",
    'SELECT 1 AS "{{ params.p }}"',
  ];
  for (const query of places) {
    it(JSON.stringify(query), async () => {
      await assert.rejects(runSqlStep(sqlRequest(query, { p: "x' OR true --\n OR '" })), (err: unknown) => {
        assert.ok(err instanceof ConnectorError);
        assert.equal(err.code, "template-in-sql-literal");
        assert.match(err.message, /`\{\{ params\.p \}\}` is inside/);
        return true;
      });
      await assert.rejects(postgresConnector.extract(extractRequest(pgConnection(db.url), { query: query.replace(/^DELETE FROM/, "SELECT * FROM") }, undefined, { p: "x" })), /is inside/);
      await sentinelIntact();
    });
  }

  it("live analysis refuses it too, and describes a query whose templates are in code", async () => {
    const ctx = { connection: pgConnection(db.url), connectionName: "db", baseDir: ".", secrets: [], timeoutMs: 10_000 };
    await assert.rejects(describeQuery(ctx, "SELECT * FROM items WHERE name = '{{ params.p }}'"), /is inside a SQL string literal/);
    const described = await describeQuery(ctx, "SELECT name, {{ ds }} AS day FROM items WHERE name = {{ params.p }} LIMIT {{ params.n }}");
    assert.deepEqual(described.columns.map((c) => [c.name, c.type]), [["name", "string"], ["day", "string"]]);
  });
});

describe("agent-etl validate and run", () => {
  const p = project("sql-templates");
  after(() => p.cleanup());
  const pipeline = (query: string) =>
    ["version: 1", "name: purge", "params: {p: a}", "connections:", "  db: {type: postgres, url: \"${env:TPL_PG_URL}\"}", "steps:", "  - id: purge", "    sql:", "      connection: db", `      query: "${query}"`, ""].join("\n");

  it("validate reports the quoted template with its place and fix; run refuses it and the table keeps its rows", async () => {
    await db.pg.query("TRUNCATE items; INSERT INTO items VALUES ('a'), ('b')", [], DB);
    const file = p.write("quoted.etl.yaml", pipeline("DELETE FROM items WHERE name = '{{ params.p }}'"));
    const env = { TPL_PG_URL: db.url };
    const validated = await runCli(["validate", file], { cwd: p.dir, env });
    assert.equal(validated.code, 1, validated.stdout + validated.stderr);
    assert.match(validated.stdout, /quoted\.etl\.yaml:10:46: error \[template-in-sql-literal\] `\{\{ params\.p \}\}` is inside a SQL string literal/);
    const ran = await runCli(["run", file, "--param", "p=' OR true OR name = '"], { cwd: p.dir, env });
    assert.notEqual(ran.code, 0);
    assert.match(ran.stdout + ran.stderr, /template-in-sql-literal/);
    assert.deepEqual(await db.pg.query("SELECT name FROM items ORDER BY name", [], DB), [{ name: "a" }, { name: "b" }]);
  });

  it("the fixed file binds the value: the hostile param deletes nothing, the exact name deletes one row", async () => {
    const file = p.write(join("fixed", "purge.etl.yaml"), pipeline("DELETE FROM items WHERE name = {{ params.p }}"));
    const env = { TPL_PG_URL: db.url };
    assert.equal((await runCli(["validate", file], { cwd: p.dir, env })).code, 0);
    const hostile = await runCli(["run", file, "--param", "p=' OR true OR name = '"], { cwd: p.dir, env });
    assert.equal(hostile.code, 0, hostile.stdout + hostile.stderr);
    assert.deepEqual(await db.pg.query("SELECT name FROM items ORDER BY name", [], DB), [{ name: "a" }, { name: "b" }]);
    const exact = await runCli(["run", file, "--param", "p=b"], { cwd: p.dir, env });
    assert.equal(exact.code, 0, exact.stdout + exact.stderr);
    assert.deepEqual(await db.pg.query("SELECT name FROM items ORDER BY name", [], DB), [{ name: "a" }]);
  });
});
