/**
 * Numbers are never changed silently (docs/pipeline-spec.md, "Numbers"): integers beyond 2^53 from
 * JSON, JSONL, an HTTP JSON answer, a CSV cast and a PostgreSQL bigint/numeric go through staging
 * and a transform into files and tables exactly; −0 stays −0 where the format holds it; a number
 * no double can hold (1e400) fails the run with a message that says where and what to do.
 * (The CLI, real files, a loopback HTTP server, a real PostgreSQL.)
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { postgresProject, runCli } from "./helpers";

const DB = "exact_numbers";
const cluster = postgresProject("exact-numbers", DB);
const p = cluster.p;

/** The values under test, as JSON literals: they must come out with these very digits. */
const LITERALS = { a: "9007199254740993", b: "-9223372036854775808", c: "9223372036854775807", d: "12345678901234567890", z: "-0" };
const ROWS = [
  `{"id": 1, "a": ${LITERALS.a}, "b": ${LITERALS.b}, "c": ${LITERALS.c}, "d": ${LITERALS.d}, "z": ${LITERALS.z}}`,
  `{"id": 2, "a": 5, "b": -7, "c": 0, "d": 1, "z": 1.5}`,
];
const EXPECTED_LINES = ['{"id":1,"a":9007199254740993,"b":-9223372036854775808,"c":9223372036854775807,"d":12345678901234567890,"z":-0}', '{"id":2,"a":5,"b":-7,"c":0,"d":1,"z":1.5}'];

let http: Server;
let body = "";
let baseUrl = "";
before(async () => {
  http = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => http.close(() => resolve())));

function pipeline(extract: string): string {
  return `version: 1
name: exact
connections:
  files: {type: file}
  api: {type: http, base_url: "\${env:API_URL}"}
  db: {type: postgres, url: "\${env:EXACT_PG_URL}"}
steps:
  - id: read
    extract: ${extract}
  - id: shaped
    depends_on: [read]
    transform:
      - filter: id > 0
      - select: [id, a, b, c, d, z]
  - id: to_file
    depends_on: [shaped]
    load: {connection: files, path: out.jsonl}
  - id: to_table
    depends_on: [shaped]
    load: {connection: db, table: exact, mode: replace}
`;
}

const env = () => ({ EXACT_PG_URL: cluster.url, API_URL: baseUrl });

async function tableText(table: string): Promise<{ columns: string[][]; rows: string[][] }> {
  const columns = await cluster.server.query<{ name: string; type: string }>(
    "SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum",
    [table],
    DB,
  );
  const names = columns.map((c) => c.name);
  const rows = await cluster.server.query<Record<string, string>>(`SELECT ${names.map((n) => `${n}::text AS ${n}`).join(", ")} FROM ${table} ORDER BY id`, [], DB);
  return { columns: columns.map((c) => [c.name, c.type]), rows: rows.map((r) => names.map((n) => r[n] as string)) };
}

const TABLE = {
  columns: [["id", "bigint"], ["a", "bigint"], ["b", "bigint"], ["c", "bigint"], ["d", "numeric"], ["z", "double precision"]],
  rows: [["1", LITERALS.a, LITERALS.b, LITERALS.c, LITERALS.d, "-0"], ["2", "5", "-7", "0", "1", "1.5"]],
};

describe("exact numbers (dist/cli.js, files, HTTP and a real PostgreSQL)", () => {
  const sources: [string, () => string][] = [
    ["JSONL", () => (p.write("in.jsonl", ROWS.join("\n") + "\n"), "{connection: files, path: in.jsonl}")],
    ["JSON", () => (p.write("in.json", `[${ROWS.join(",\n")}]`), "{connection: files, path: in.json}")],
    ["HTTP JSON", () => ((body = `{"data": {"items": [${ROWS.join(",")}]}}`), "{connection: api, path: /items, records: data.items}")],
  ];
  for (const [name, source] of sources) {
    it(`${name}: big integers and -0 reach a JSONL file and a table exactly, through staging and a transform`, async () => {
      const file = p.write(`${name.replace(" ", "_")}.etl.yaml`, pipeline(source()));
      const r = await runCli(["run", file], { cwd: p.dir, env: env() });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(p.read("out.jsonl").trim().split("\n"), EXPECTED_LINES);
      assert.deepEqual(await tableText("exact"), TABLE);
    });
  }

  it("PostgreSQL bigint and numeric extracts stay exact into a file, another table and an incremental mark", async () => {
    const file = p.write(
      "from_pg.etl.yaml",
      `version: 1
name: from_pg
connections:
  files: {type: file}
  db: {type: postgres, url: "\${env:EXACT_PG_URL}"}
steps:
  - id: read
    extract: {connection: db, table: exact, incremental: {column: c, initial: -1}}
  - id: to_file
    depends_on: [read]
    load: {connection: files, path: from_pg.jsonl}
  - id: to_table
    depends_on: [read]
    load: {connection: db, table: exact_copy}
`,
    );
    const r = await runCli(["run", file, "--run-id", "pg1"], { cwd: p.dir, env: env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // numeric is decimal text (exact, kept as text) by the spec; bigint is a number.
    const lines = p.read("from_pg.jsonl").trim().split("\n").sort();
    assert.equal(lines.length, 2);
    assert.equal(lines[0], `{"id":1,"a":${LITERALS.a},"b":${LITERALS.b},"c":${LITERALS.c},"d":"${LITERALS.d}","z":-0}`);
    assert.deepEqual(await tableText("exact_copy"), TABLE);
    // The high-water mark of a bigint column beyond 2^53 is its exact decimal text.
    const marks = JSON.parse(p.read(".etl/runs/_incremental/from_pg.json")) as Record<string, unknown>;
    assert.equal(marks.read, LITERALS.c);
  });

  it("a CSV column cast to integer keeps 64-bit integers exactly", async () => {
    p.write("in.csv", `id,a,b,c,d,z\n1,${LITERALS.a},${LITERALS.b},${LITERALS.c},${LITERALS.d},-0\n2,5,-7,0,1,1.5\n`);
    const file = p.write("csv.etl.yaml", pipeline("{connection: files, path: in.csv}").replace("      - filter: id > 0", "      - cast: {id: integer, a: integer, b: integer, c: integer, d: decimal, z: number}"));
    const r = await runCli(["run", file], { cwd: p.dir, env: env() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(p.read("out.jsonl").trim().split("\n"), [EXPECTED_LINES[0]?.replace(LITERALS.d, `"${LITERALS.d}"`), EXPECTED_LINES[1]?.replace('"d":1', '"d":"1"')]);
    assert.deepEqual(await tableText("exact"), TABLE);
  });

  for (const [name, source, where] of [
    ["JSONL", () => (p.write("huge.jsonl", '{"id": 1, "x": 1e400}\n'), "{connection: files, path: huge.jsonl}"), /huge\.jsonl: line 1: the number 1e400 is beyond the range of a double/],
    ["HTTP JSON", () => ((body = '[{"id": 1, "x": -1e400}]'), "{connection: api, path: /items}"), /answered JSON with a number no record can hold exactly: the number -1e400 is beyond the range of a double/],
  ] as const) {
    it(`${name}: a number no double can hold fails the run, saying where and what to do`, async () => {
      const file = p.write(`huge_${name.replace(" ", "_")}.etl.yaml`, pipeline(source()));
      const r = await runCli(["run", file], { cwd: p.dir, env: env() });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, where);
      assert.match(r.stdout + r.stderr, /write it as a string .* and cast it to decimal/);
    });
  }
});
