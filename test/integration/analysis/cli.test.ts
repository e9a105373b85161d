/** `agent-etl analyze` end to end (main() in-process) against a real PostgreSQL, files and a loopback API. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";
import type { AnalysisReport } from "../../../server/src/sources/analysis/report";
import { startApi, type TestApi } from "../../support/httpServer";
import { freePort } from "../../support/net";
import { startPostgres, type TestPostgres } from "../../support/postgres";

let pg: TestPostgres;
let api: TestApi;
let dir: string;
let cacheHome: string;
let pipeline: string;

const PIPELINE = `version: 1
name: analyze_me
connections:
  db:
    type: postgres
    url: \${env:PG_URL}
  files:
    type: file
    root: data
  api:
    type: http
    base_url: \${env:API_URL}
steps:
  - id: orders
    extract: { connection: db, query: "SELECT id, total FROM shop.orders WHERE day = {{ ds }}" }
  - id: people
    extract: { connection: files, path: "people/*.csv" }
  - id: users
    extract: { connection: api, path: /page, records: data.items }
  - id: save
    depends_on: [people]
    load: { connection: files, path: out.jsonl }
`;

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => (out += t + "\n"), stderr: (t) => (err += t + "\n"), logger: pino({ level: "silent" }), env: { XDG_CACHE_HOME: cacheHome, ...env }, cwd: dir };
  const code = await main(["analyze", ...args], io);
  return { code, out, err };
}

function cacheFiles(): string[] {
  const folder = join(cacheHome, "agent-etl", "analysis");
  return readdirSync(folder).map((f) => readFileSync(join(folder, f), "utf8"));
}

before(async () => {
  [pg, api] = await Promise.all([startPostgres(), startApi([{ id: 1, login: "ann" }])]);
  const url = await pg.createDatabase("analyze_cli");
  await pg.query(`CREATE SCHEMA shop; CREATE TABLE shop.orders (id int PRIMARY KEY, total numeric(10,2), day date); CREATE TABLE shop.lines (order_id int REFERENCES shop.orders (id), sku text)`, [], "analyze_cli");
  dir = mkdtempSync(join(tmpdir(), "analyze-cli-"));
  cacheHome = mkdtempSync(join(tmpdir(), "analyze-cache-"));
  mkdirSync(join(dir, "data", "people"), { recursive: true });
  writeFileSync(join(dir, "data", "people", "a.csv"), '"first name",age\nAnn,31\n');
  writeFileSync(join(dir, ".env"), `PG_URL=${url}\nAPI_URL=${api.url}\n`);
  pipeline = join(dir, "shop.etl.yaml");
  writeFileSync(pipeline, PIPELINE);
});
after(async () => {
  await Promise.all([pg?.stop(), api?.close()]);
  for (const d of [dir, cacheHome]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("agent-etl analyze", () => {
  it("prints tables, keys, sampled columns and API fields as text, reading secrets from .env", async () => {
    const { code, out, err } = await run([pipeline]);
    assert.equal(err, "");
    assert.equal(code, 0, out);
    assert.match(out, /^db \(postgres\)/m);
    assert.match(out, /shop\.orders \(table/);
    assert.match(out, /id\s+integer\s+integer\s+not null\s+PK/);
    assert.match(out, /foreign key \S+ \(order_id\) → shop\.orders \(id\)/);
    assert.match(out, /step orders: query → 2 columns/);
    assert.match(out, /total\s+decimal\s+numeric\(10,2\)/);
    assert.match(out, /step people: people\/a\.csv \(csv, 1 record sampled/);
    assert.match(out, /first name\s+string/);
    assert.match(out, /step users: GET \/page → records at `data\.items`/);
    assert.match(out, /login\s+string/);
    assert.doesNotMatch(out, new RegExp(pg.password));
  });

  it("prints stable JSON, serves the next run from the disk cache, and --refresh asks again", async () => {
    const before = api.requests.length;
    const { code, out } = await run([pipeline, "--format", "json"]);
    assert.equal(code, 0);
    assert.equal(api.requests.length, before, "served from the cache");
    const report = JSON.parse(out) as AnalysisReport;
    assert.equal(report.ok, true);
    assert.deepEqual(report.connections.map((c) => [c.name, c.type, c.analyses.map((a) => [a.step, a.request.kind, a.result?.kind])]), [
      ["db", "postgres", [[null, "catalog", "catalog"], ["orders", "query-columns", "query-columns"]]],
      ["files", "file", [[null, "folder", "folder"], ["people", "data-columns", "data-columns"]]],
      ["api", "http", [["users", "http-sample", "http-sample"]]],
    ]);
    await run([pipeline, "--connection", "api", "--refresh"]);
    assert.equal(api.requests.length, before + 1);
    for (const text of cacheFiles()) assert.doesNotMatch(text, new RegExp(pg.password), "no password in the cache files");
  });

  it("reports a dead source with its reason and exit 1, secrets scrubbed", async () => {
    const port = await freePort();
    const secret = `pw-${Math.random().toString(36).slice(2)}-x`;
    const { code, out } = await run([pipeline, "--connection", "db", "--refresh"], { PG_URL: `postgres://app:${secret}@127.0.0.1:${port}/none` });
    assert.equal(code, 1);
    assert.match(out, /db \(postgres\)/);
    assert.match(out, /unavailable: could not connect/);
    assert.doesNotMatch(out, new RegExp(secret));
  });

  it("analyses a half-written pipeline: valid connections are enough, the errors elsewhere are one note", async () => {
    const half = join(dir, "half.etl.yaml");
    // The `orders` step is still missing its table, and `save` depends on a step not written yet.
    const text = PIPELINE.replace('    extract: { connection: db, query: "SELECT id, total FROM shop.orders WHERE day = {{ ds }}" }', "    extract:\n      connection: db\n      table:").replace("    depends_on: [people]", "    depends_on: [peple]");
    writeFileSync(half, text);
    const { code, out, err } = await run([half, "--format", "json"]);
    assert.equal(code, 0, out + err);
    const lines = err.trim().split("\n");
    assert.equal(lines.length, 1, err);
    assert.match((lines[0] ?? "").split(half).join("FILE"), /^note: FILE has 2 errors outside its connections \(steps not valid yet are not analysed\); the first: FILE:17:7: error \[schema\] `table` must be a string, not empty$/);
    const report = JSON.parse(out) as AnalysisReport;
    assert.equal(report.ok, true);
    assert.deepEqual(report.connections.map((c) => [c.name, c.analyses.map((a) => [a.step, a.request.kind])]), [
      ["db", [[null, "catalog"]]],
      ["files", [[null, "folder"], ["people", "data-columns"]]],
      ["api", [["users", "http-sample"]]],
    ]);
    const catalog = report.connections[0]?.analyses[0]?.result;
    assert.match(JSON.stringify(catalog), /"shop"[\s\S]*"orders"/, "the PostgreSQL catalog was read");
  });

  it("refuses a file whose connections have errors, or that is not readable YAML, with those errors (exit 1)", async () => {
    const badType = join(dir, "bad-connection.etl.yaml");
    writeFileSync(badType, PIPELINE.replace("    type: file\n", "    type: fil\n"));
    const refused = await run([badType]);
    assert.equal(refused.code, 1);
    assert.equal(refused.out, "");
    assert.deepEqual(refused.err.trim().split("\n").map((l) => l.split(badType).join("FILE")), [
      "FILE:8:11: error [schema] `fil` is not a valid `type`: use `postgres`, `s3`, `http`, `file` or `duckdb` — did you mean `file`?",
      "✖ FILE: its connections have errors; fix it to analyze (agent-etl validate FILE)",
    ]);
    const broken = join(dir, "broken-yaml.etl.yaml");
    writeFileSync(broken, PIPELINE.replace("  files:\n    type: file\n    root: data", "  files: {type: file, root: ${env:DATA}}"));
    const unreadable = await run([broken]);
    assert.equal(unreadable.code, 1);
    assert.match(unreadable.err, /:7:29: error \[yaml-syntax\] quote a value that starts with `\$\{`[^\n]*\n✖ \S+: the file cannot be read as a pipeline; fix it to analyze/);
  });

  it("exits 2 for an unknown connection, 1 for a missing secret", async () => {
    const unknown = await run([pipeline, "--connection", "nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /has no connection `nope`; its connections: db, files, api/);
    const other = join(dir, "missing.etl.yaml");
    writeFileSync(other, PIPELINE.replace("${env:API_URL}", "${env:NOT_SET_ANYWHERE_X}"));
    const missing = await run([other, "--connection", "api"]);
    assert.equal(missing.code, 1);
    assert.match(missing.out, /api \(http\) — unavailable: .*NOT_SET_ANYWHERE_X/);
  });
});
