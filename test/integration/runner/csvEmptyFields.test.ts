/**
 * CSV empty fields into a real PostgreSQL (issue #24): an unquoted empty field loads as NULL and a
 * quoted `""` as the empty string, as PostgreSQL's own `COPY … CSV` reads the same file;
 * `csv: {empty_as: empty}` loads both as the empty string.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, it } from "node:test";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { postgresProject, runCli } from "./helpers";

const DB = "csv_empty_db";
const cluster = postgresProject("csv-empty", DB);
const p = cluster.p;

const CSV = 'id,name,note\n1,,""\n2,"",x\n3,ann,\n';

const pipelineText = (table: string, csv: string) => `version: 1
name: csv_empty
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:CE_PG_URL}" }
steps:
  - id: raw
    extract: { connection: files, path: in.csv${csv} }
  - id: save
    depends_on: [raw]
    load: { connection: db, table: ${table} }
`;

type Row = { id: string; name: string | null; note: string | null };

async function rows(table: string): Promise<Row[]> {
  return cluster.server.query<Row>(`SELECT id::text, name, note FROM ${table} ORDER BY id`, [], DB);
}

describe("CSV empty fields into PostgreSQL", () => {
  it("an unquoted empty field loads NULL, a quoted one the empty string, as COPY … CSV reads them", async () => {
    p.write("in.csv", CSV);
    const r = await runCli(["run", p.write("a.etl.yaml", pipelineText("ours", ""))], { cwd: p.dir, env: { CE_PG_URL: cluster.url } });
    assert.equal(r.code, 0, r.stderr);
    // PostgreSQL's own reading of the same file is the reference.
    await cluster.server.query("CREATE TABLE copied (id int, name text, note text)", [], DB);
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const copy = client.query(copyFrom("COPY copied FROM STDIN WITH (FORMAT csv, HEADER true)"));
      await pipeline(Readable.from([CSV]), copy);
    } finally {
      await client.end();
    }
    const expected = await rows("copied");
    assert.deepEqual(expected, [
      { id: "1", name: null, note: "" },
      { id: "2", name: "", note: "x" },
      { id: "3", name: "ann", note: null },
    ]);
    assert.deepEqual(await rows("ours"), expected);
  });

  it("csv: {empty_as: empty} loads both as the empty string", async () => {
    const r = await runCli(["run", p.write("b.etl.yaml", pipelineText("empties", ", csv: { empty_as: empty }"))], { cwd: p.dir, env: { CE_PG_URL: cluster.url } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await rows("empties"), [
      { id: "1", name: "", note: "" },
      { id: "2", name: "", note: "x" },
      { id: "3", name: "ann", note: "" },
    ]);
  });
});
