/**
 * Parquet → PostgreSQL against CSV → PostgreSQL (issue 18's goal: Parquet's throughput ≥ CSV's),
 * 1,000,000 rows, in the same run: `agent-etl run` of file → cast → postgres for the CSV, and of
 * file → postgres for the Parquet file of the same rows (its columns carry their types: no cast).
 * The runs alternate, BENCH_PARQUET_RUNS (default 3) of each; medians and their ratio are reported,
 * with the machine's load average (a shared machine skews single runs). Both files are generated
 * once into ~/.cache/agent-etl-test/bench.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnType } from "../server/src/pipeline/model";
import { writeFileAtomic } from "../server/src/sources/file/atomicWrite";
import { writeParquet } from "../server/src/sources/formats/parquetWrite";
import type { DataRecord } from "../server/src/sources/types";
import { startPostgres } from "../test/support/postgres";
import { buildBenchCli, cachedCsv, median, sampledRun, table } from "./_util";

const CACHE = join(homedir(), ".cache", "agent-etl-test", "bench");
const CLI = join(CACHE, "cli.js");
const ROWS = 1_000_000;
const RUNS = Math.max(1, Number(process.env.BENCH_PARQUET_RUNS ?? 3) || 3);
const COUNTRIES = ["DE", "FR", "US", "JP", "BR", "IN"];
const TYPES: Record<string, ColumnType> = { id: "integer", customer: "string", country: "string", amount: "decimal", created_at: "timestamp", note: "string" };

function row(i: number): DataRecord {
  const day = String((i % 28) + 1).padStart(2, "0");
  return { id: i, customer: `cust_${i % 50_000}`, country: COUNTRIES[i % 6], amount: ((i % 99_999) / 100).toFixed(2), created_at: `2024-03-${day}T${String(i % 24).padStart(2, "0")}:15:00Z`, note: `note ${i % 977}` };
}

async function* rows(): AsyncGenerator<DataRecord> {
  for (let i = 1; i <= ROWS; i++) yield row(i);
}

async function files(): Promise<{ csv: string; parquet: string }> {
  const csv = await cachedCsv(CACHE, `parquet-orders-${ROWS}.csv`, Object.keys(TYPES).join(","), ROWS, (i) => `${Object.values(row(i)).join(",")}\n`);
  const parquet = join(CACHE, `parquet-orders-${ROWS}.parquet`);
  if (!existsSync(parquet)) {
    await writeFileAtomic(`${parquet}.tmp`, writeParquet(rows(), { columns: TYPES }));
    renameSync(`${parquet}.tmp`, parquet);
  }
  return { csv, parquet };
}

function pipeline(file: string, cast: boolean, tableName: string): string {
  return [
    "version: 1",
    "name: bench_parquet",
    "connections:",
    `  files: {type: file, root: ${JSON.stringify(CACHE)}}`,
    '  db: {type: postgres, url: "${env:BENCH_PG_URL}"}',
    "steps:",
    `  - id: read\n    extract: {connection: files, path: ${JSON.stringify(file.split("/").pop())}}`,
    ...(cast ? ["  - id: typed\n    depends_on: [read]\n    transform:\n      - cast: {id: integer, amount: decimal, created_at: timestamp}"] : []),
    `  - id: write\n    depends_on: [${cast ? "typed" : "read"}]\n    load: {connection: db, table: ${tableName}, mode: replace}`,
    "",
  ].join("\n");
}

export async function run(): Promise<void> {
  const { csv, parquet } = await files();
  await buildBenchCli(CACHE, "cli");
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), "bench-parquet-"));
  try {
    const url = await pg.createDatabase("bench_parquet");
    const kinds = [
      { name: "CSV → cast → PostgreSQL", file: join(dir, "csv.etl.yaml"), text: pipeline(csv, true, "from_csv"), ms: [] as number[], rss: [] as number[] },
      { name: "Parquet → PostgreSQL", file: join(dir, "parquet.etl.yaml"), text: pipeline(parquet, false, "from_parquet"), ms: [] as number[], rss: [] as number[] },
    ];
    for (const k of kinds) writeFileSync(k.file, k.text);
    const load = loadavg()[0]?.toFixed(1);
    for (let i = 0; i < RUNS; i++) {
      for (const k of i % 2 === 0 ? kinds : [...kinds].reverse()) {
        const r = await sampledRun(process.execPath, [CLI, "run", k.file], { ...process.env, BENCH_PG_URL: url, LOG_LEVEL: "warn", LOG_FORMAT: "json" }, dir);
        if (!r.ok) throw new Error(`${k.name} failed: ${r.stderr}`);
        k.ms.push(r.ms);
        k.rss.push(r.rssMb);
      }
    }
    const count = await pg.query("SELECT (SELECT count(*) FROM from_csv)::int AS csv, (SELECT count(*) FROM from_parquet)::int AS parquet", [], "bench_parquet");
    console.log(`rows loaded: ${JSON.stringify(count[0])}; load average before: ${load}, after: ${loadavg()[0]?.toFixed(1)}`);
    table(
      ["pipeline", "median s", "rows/s", "peak RSS MB", "runs s"],
      kinds.map((k) => [k.name, (median(k.ms) / 1000).toFixed(2), Math.round(ROWS / (median(k.ms) / 1000)), Math.max(...k.rss), k.ms.map((m) => (m / 1000).toFixed(2)).join(", ")]),
    );
    const [c, p] = kinds.map((k) => median(k.ms)) as [number, number];
    console.log(`\nParquet throughput / CSV throughput: ${(c / p).toFixed(2)} (goal ≥ 1.00)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pg.stop();
  }
}
