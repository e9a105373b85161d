/**
 * CSV → DuckDB (issue 18): `agent-etl run` of a file → cast → duckdb pipeline loading a generated
 * 1,000,000-row CSV into a new table, against DuckDB's own `CREATE TABLE t AS SELECT * FROM
 * read_csv(…)` of the same file (in a Node process of its own through @duckdb/node-api, so both
 * pay a process start), alternating, each into a fresh database file. Goal: within 2× of read_csv.
 * Both tables are checked to hold the same rows (count and sums). BENCH_DUCKDB_RUNS (default 2)
 * runs of each; the medians are reported with the load average.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { cachedCsv, median, sampledRun, table } from "./_util";

const ROOT = join(__dirname, "..");
const CLI = join(ROOT, "dist", "cli.js");
const CACHE = join(homedir(), ".cache", "agent-etl-test", "bench");
const ROWS = 1_000_000;
const RUNS = Math.max(1, Number(process.env.BENCH_DUCKDB_RUNS ?? 2) || 2);

function generateCsv(): Promise<string> {
  const countries = ["DE", "FR", "US", "JP", "BR", "IN"];
  return cachedCsv(CACHE, `orders-${ROWS}.csv`, "id,customer,country,amount,created_at,note", ROWS, (i) => {
    const day = String((i % 28) + 1).padStart(2, "0");
    return `${i},cust_${i % 50_000},${countries[i % 6]},${(i % 99_999) / 100},2024-03-${day}T${String(i % 24).padStart(2, "0")}:15:00Z,note ${i % 977}\n`;
  });
}

function pipelineText(csv: string, database: string): string {
  return [
    "version: 1",
    "name: bench_duckdb",
    "connections:",
    `  files: {type: file, root: ${JSON.stringify(join(csv, ".."))}}`,
    `  wh: {type: duckdb, path: ${JSON.stringify(database)}}`,
    "steps:",
    `  - id: read\n    extract: {connection: files, path: ${JSON.stringify(csv.split("/").pop())}}`,
    "  - id: typed\n    depends_on: [read]\n    transform:\n      - cast: {id: integer, amount: decimal, created_at: timestamp}",
    "  - id: write\n    depends_on: [typed]\n    load: {connection: wh, table: orders}",
    "",
  ].join("\n");
}

/** DuckDB's own load, in a process of its own. */
const PEER = `const { DuckDBInstance } = require(${JSON.stringify(join(ROOT, "node_modules", "@duckdb", "node-api"))});
(async () => {
  const instance = await DuckDBInstance.create(process.argv[1]);
  const c = await instance.connect();
  await c.run("CREATE TABLE orders AS SELECT * FROM read_csv(" + JSON.stringify(process.argv[2]).replace(/"/g, "'") + ")");
  c.closeSync();
  instance.closeSync();
})();`;

async function summary(database: string): Promise<string> {
  const instance = await DuckDBInstance.create(database, { access_mode: "READ_ONLY" });
  const c = await instance.connect();
  const row = (await c.runAndReadAll("SELECT count(*)::VARCHAR AS n, sum(id)::VARCHAR AS ids, sum(amount)::DECIMAL(20, 2)::VARCHAR AS amount, count(DISTINCT country)::VARCHAR AS countries FROM orders")).getRowObjectsJson()[0];
  c.closeSync();
  instance.closeSync();
  return JSON.stringify(row);
}

export async function run(): Promise<void> {
  const csv = await generateCsv();
  const dir = mkdtempSync(join(tmpdir(), "bench-duckdb-"));
  try {
    const ours: number[] = [];
    const theirs: number[] = [];
    const sums = new Set<string>();
    for (let i = 0; i < RUNS; i++) {
      const ourDb = join(dir, `ours-${i}.duckdb`);
      const file = join(dir, `p${i}.etl.yaml`);
      writeFileSync(file, pipelineText(csv, ourDb));
      const a = await sampledRun(process.execPath, [CLI, "run", file], { ...process.env, LOG_LEVEL: "warn", LOG_FORMAT: "json" }, dir);
      if (!a.ok) throw new Error(`agent-etl run failed: ${a.stderr}`);
      ours.push(a.ms);
      sums.add(await summary(ourDb));
      const peerDb = join(dir, `peer-${i}.duckdb`);
      const b = await sampledRun(process.execPath, ["-e", PEER, peerDb, csv]);
      if (!b.ok) throw new Error(`read_csv failed: ${b.stderr}`);
      theirs.push(b.ms);
      sums.add(await summary(peerDb));
    }
    if (sums.size !== 1) throw new Error(`the two loads differ: ${[...sums].join(" vs ")}`);
    const [mOurs, mTheirs] = [median(ours), median(theirs)];
    const rate = (ms: number) => Math.round(ROWS / (ms / 1000));
    table(
      ["path", "rows", "seconds (median)", "rows/s", "ratio to read_csv"],
      [
        [`DuckDB read_csv → CREATE TABLE AS (${RUNS} runs)`, ROWS, +(mTheirs / 1000).toFixed(2), rate(mTheirs), "1.00"],
        [`agent-etl run: CSV → cast → duckdb (${RUNS} runs)`, ROWS, +(mOurs / 1000).toFixed(2), rate(mOurs), `${(mOurs / mTheirs).toFixed(2)}× the time (goal ≤ 2)`],
      ],
    );
    console.log(`\nsame rows in both: ${[...sums][0]}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
