/** Templates in SQL: the lexer's regions, binding, and the `template-in-sql-literal` rule with exact ranges. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lexSql, regionKindAt, splitStatements, type SqlRegionKind } from "../../../server/src/pipeline/sqlLex";
import { bindSelect, planSqlStatements, sqlStringConstant, SqlTemplateError, sqlTemplateUses } from "../../../server/src/pipeline/sqlTemplates";
import { check, yaml } from "../helpers";

const values = { ds: "2024-03-01", ds_nodash: "20240301", ts: "2024-03-01T00:00:00+00:00", ts_nodash: "20240301T000000", run_id: "r1", params: { p: "x'y", n: 5 } };

/** The region of the template `{{ params.p }}` in `sql`. */
const regionOfTemplate = (sql: string): SqlRegionKind => regionKindAt(lexSql(sql), sql.indexOf("{{"));

describe("SQL lexer: where a template stands", () => {
  const cases: [string, SqlRegionKind][] = [
    ["SELECT * FROM t WHERE a = {{ params.p }}", "code"],
    ["SELECT * FROM t WHERE a = '{{ params.p }}'", "string"],
    ["SELECT * FROM t WHERE a = 'it''s {{ params.p }}'", "string"],
    ["SELECT 'a''b', {{ params.p }}", "code"],
    ["SELECT E'a\\'b {{ params.p }}'", "string"],
    ["SELECT E'a\\\\', {{ params.p }}", "code"],
    ["SELECT e'\\'' || {{ params.p }}", "code"],
    // Not an E-string: the E ends an identifier, so the backslash escapes nothing.
    ["SELECT typE'a\\', {{ params.p }}", "code"],
    ["SELECT U&'d\\0061t{{ params.p }}'", "string"],
    ['SELECT "{{ params.p }}" FROM t', "quoted-identifier"],
    ['SELECT "a""b", {{ params.p }}', "code"],
    ["SELECT $${{ params.p }}$$", "dollar-quote"],
    ["SELECT $fn$ body $$ {{ params.p }} $fn$", "dollar-quote"],
    ["SELECT $fn$ body $fn$, {{ params.p }}", "code"],
    ["SELECT a$b$c, {{ params.p }}", "code"],
    ["SELECT $1, {{ params.p }}", "code"],
    ["SELECT 1 -- note {{ params.p }}\n", "line-comment"],
    ["SELECT 1 -- note\n, {{ params.p }}", "code"],
    ["SELECT 1 /* a {{ params.p }} */", "block-comment"],
    ["SELECT 1 /* a /* nested */ {{ params.p }} */", "block-comment"],
    ["SELECT 1 /* a /* nested */ */ + {{ params.p }}", "code"],
    ["SELECT 1 - -{{ params.p }}", "code"],
    ["SELECT '--', {{ params.p }}", "code"],
    ["SELECT '/*', {{ params.p }}", "code"],
    ["SELECT 'unterminated {{ params.p }}", "string"],
  ];
  for (const [sql, kind] of cases) {
    it(`${JSON.stringify(sql)} → ${kind}`, () => assert.equal(regionOfTemplate(sql), kind));
  }

  it("covers the text whole, in order", () => {
    const sql = "SELECT 'a', \"b\", $$c$$ /* d */ -- e\n;";
    const regions = lexSql(sql);
    assert.equal(regions[0]?.start, 0);
    assert.equal(regions.at(-1)?.end, sql.length);
    for (let i = 1; i < regions.length; i++) assert.equal(regions[i]?.start, regions[i - 1]?.end);
    assert.deepEqual(regions.map((r) => r.kind), ["code", "string", "code", "quoted-identifier", "code", "dollar-quote", "code", "block-comment", "code", "line-comment", "code"]);
  });

  it("splits statements on `;` in code only", () => {
    const sql = "DELETE FROM t WHERE a = ';'; /* ; */ INSERT INTO t VALUES ($$;$$); -- ;\n  ;";
    assert.deepEqual(splitStatements(sql).map((s) => sql.slice(s.start, s.end).trim()), ["DELETE FROM t WHERE a = ';'", "/* ; */ INSERT INTO t VALUES ($$;$$)"]);
  });
});

describe("binding templates", () => {
  it("a template in code becomes a parameter, one per variable, never its value", () => {
    const bound = bindSelect("SELECT * FROM t WHERE a = {{ params.p }} OR b = {{params.p}} AND d = {{ ds }}", values);
    assert.equal(bound.text, "SELECT * FROM t WHERE a =  $1  OR b =  $1  AND d =  $2 ");
    assert.deepEqual(bound.values, ["x'y", "2024-03-01"]);
  });

  it("numbers parameters after the caller's own", () => {
    assert.deepEqual(bindSelect("SELECT {{ params.n }}", values, 3), { text: "SELECT  $3 ", values: [5] });
  });

  it("refuses a template in a literal or comment, naming it and the fix", () => {
    assert.throws(() => bindSelect("SELECT * FROM t WHERE name = '{{ params.p }}'", values), (err: unknown) => {
      assert.ok(err instanceof SqlTemplateError);
      assert.equal(err.code, "template-in-sql-literal");
      assert.match(err.message, /`\{\{ params\.p \}\}` is inside a SQL string literal.*Write it without quotes.*`name = \{\{ params\.p \}\}`/);
      return true;
    });
    assert.throws(() => bindSelect("SELECT 1 -- {{ ds }}\n", values), /inside a SQL comment \(--\).*Remove the template from the comment/);
  });

  it("statements that take parameters bind them; DDL gets escaped constants; several statements are split", () => {
    const plan = planSqlStatements("DELETE FROM t WHERE d = {{ ds }}; CREATE TABLE x AS SELECT {{ params.p }} AS v; VACUUM t", values);
    assert.deepEqual(plan, [
      { text: "DELETE FROM t WHERE d =  $1 ", values: ["2024-03-01"] },
      { text: " CREATE TABLE x AS SELECT  E'x''y'  AS v", values: [] },
      { text: " VACUUM t", values: [] },
    ]);
  });

  it("a text without templates is sent whole, as before", () => {
    const sql = "UPDATE t SET a = 1; UPDATE t SET b = 2;";
    assert.deepEqual(planSqlStatements(sql, values), [{ text: sql, values: [] }]);
  });

  it("escaped constants hold any value whatever standard_conforming_strings is", () => {
    assert.equal(sqlStringConstant("a'b\\c"), "E'a''b\\\\c'");
    assert.equal(sqlStringConstant(null), "NULL");
    assert.throws(() => sqlStringConstant("a\0b"), /NUL/);
  });

  it("finds every template with its region", () => {
    assert.deepEqual(
      sqlTemplateUses("SELECT {{ ds }}, '{{ run_id }}' -- {{ params.p }}").map((u) => [u.name, u.region]),
      [["ds", "code"], ["run_id", "string"], ["params.p", "line-comment"]],
    );
  });
});

describe("template-in-sql-literal", () => {
  const pipeline = (...query: string[]) =>
    yaml(
      "version: 1",
      "name: p",
      "params: {p: x}",
      "connections:",
      "  db: {type: postgres, url: \"${env:DATABASE_URL}\"}",
      "steps:",
      "  - id: cleanup",
      "    sql:",
      "      connection: db",
      ...query,
    );
  const env = { envNames: new Set(["DATABASE_URL"]) };
  const found = (text: string) => check(text, env).filter((p) => p.code === "template-in-sql-literal");

  it("points at the quoted template in a plain scalar, and offers to drop the quotes", () => {
    const [p, ...rest] = found(pipeline("      query: DELETE FROM t WHERE name = '{{ params.p }}'"));
    assert.equal(rest.length, 0);
    assert.equal(p?.range, "10:41-10:57");
    assert.equal(p?.text, "'{{ params.p }}'");
    assert.equal(p?.severity, "error");
  });

  it("points at templates inside a block literal, comments included", () => {
    const text = pipeline("      query: |", "        -- day {{ ds }}", "        DELETE FROM t", "        WHERE name LIKE '%{{ params.p }}%' /* {{ run_id }} */", "          AND day = {{ ds }}");
    assert.deepEqual(found(text).map((p) => [p.range, p.text]), [
      ["11:16-11:24", "{{ ds }}"],
      ["13:27-13:41", "{{ params.p }}"],
      ["13:47-13:59", "{{ run_id }}"],
    ]);
  });

  it("points at the template in a double-quoted scalar and in an extract's query", () => {
    const text = yaml(
      "version: 1",
      "name: p",
      "connections:",
      "  db: {type: postgres, url: \"${env:DATABASE_URL}\"}",
      "steps:",
      "  - id: read",
      "    extract: {connection: db, query: \"SELECT * FROM t WHERE \\\"{{ ds }}\\\" = 1\"}",
    );
    const [p] = found(text);
    assert.match(p?.message ?? "", /inside a quoted identifier.*cannot name a table or column/);
    assert.equal(p?.text, "{{ ds }}");
  });

  it("says nothing of templates in code, nor of HTTP query maps", () => {
    assert.deepEqual(found(pipeline("      query: DELETE FROM t WHERE name = {{ params.p }} AND note = 'it''s'")), []);
    const http = yaml(
      "version: 1",
      "name: p",
      "connections:",
      "  api: {type: http, base_url: \"http://127.0.0.1:1\"}",
      "steps:",
      "  - id: read",
      "    extract: {connection: api, path: /x, query: {since: \"'{{ ds }}'\"}}",
    );
    assert.deepEqual(found(http), []);
  });
});

describe("name-too-long", () => {
  const long = "t".repeat(60) + "_is_long_a";
  const pipeline = (load: string) =>
    yaml(
      "version: 1",
      "name: p",
      "connections:",
      "  db: {type: postgres, url: \"${env:DATABASE_URL}\"}",
      "  raw: {type: file}",
      "steps:",
      "  - id: read",
      "    extract: {connection: raw, path: a.csv}",
      "  - id: save",
      "    depends_on: [read]",
      `    load: ${load}`,
    );
  const env = { envNames: new Set(["DATABASE_URL"]) };
  const found = (text: string) => check(text, env).filter((p) => p.code === "name-too-long");

  it("a table, schema or key name over 63 bytes, counted in UTF-8", () => {
    const problems = found(pipeline(`{connection: db, table: "\\"${long}\\".ok", mode: merge, key: [id, ${long}]}`));
    assert.deepEqual(problems.map((p) => p.message.slice(0, 30)), ["the schema name `ttttttttttttt", "the column name `ttttttttttttt"]);
    assert.match(problems[0]?.message ?? "", /is 70 bytes long; PostgreSQL keeps only the first 63 bytes of a name.*Shorten it/);
    // 32 two-byte letters: 32 characters, 64 bytes.
    assert.equal(found(pipeline(`{connection: db, table: ${"é".repeat(32)}}`)).length, 1);
    assert.equal(found(pipeline(`{connection: db, table: ${"é".repeat(31)}x}`)).length, 0);
    assert.equal(found(pipeline(`{connection: db, table: ${"t".repeat(63)}}`)).length, 0);
  });

  it("names of other connection types are not PostgreSQL's", () => {
    assert.deepEqual(found(pipeline(`{connection: raw, path: ${long}.csv}`)), []);
  });
});
