/**
 * Data checks (issue 20). (1) What five checks add to a 1,000,000-row file → cast → file run: the
 * same pipeline with and without `checks:` (not_null, unique, accepted_values, range, row_count),
 * alternating runs, medians and their ratio (goal ≤ 1.15). (2) Peak RSS of `unique` + `not_null`
 * over 5,000,000 rows (goal < 300 MB), beside the same run without checks. Runs through the CLI
 * bundled from the current sources into the bench cache; BENCH_CHECKS_RUNS (default 3) runs each.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBenchCli, cachedCsv, median, sampledRun, table, type SampledRun } from "./_util";

const CACHE = join(homedir(), ".cache", "agent-etl-test", "bench");
/** Its own CLI bundle: other sections build theirs in CACHE while they run. */
const CLI_DIR = join(CACHE, "checks");
const RUNS = Math.max(1, Number(process.env.BENCH_CHECKS_RUNS ?? 3) || 3);

async function generateCsv(rows: number): Promise<string> {
  const statuses = ["paid", "paid", "paid", "refunded"];
  return cachedCsv(CACHE, `checked-orders-${rows}.csv`, "id,customer,status,amount,created_at", rows, (i) => `${i},cust_${i % 50_000},${statuses[i % 4]},${(i % 99_999) / 100},2024-03-${String((i % 28) + 1).padStart(2, "0")}T10:15:00Z\n`);
}

const FIVE_CHECKS = ["not_null: [id, amount]", "unique: [id]", "accepted_values: {column: status, values: [paid, refunded]}", "range: {column: amount, min: 0, max: 100000}", "row_count: {min: 1}"];

function castToFile(csv: string, checks: readonly string[]): string {
  return [
    "version: 1",
    "name: bench_checks",
    "connections:",
    `  data: {type: file, root: ${JSON.stringify(join(csv, ".."))}}`,
    "  out: {type: file}",
    "steps:",
    `  - id: read\n    extract: {connection: data, path: ${JSON.stringify(csv.split("/").pop())}}`,
    "  - id: typed\n    depends_on: [read]\n    transform:\n      - cast: {id: integer, amount: number, created_at: timestamp}",
    ...(checks.length > 0 ? ["    checks:", ...checks.map((c) => `      - ${c}`)] : []),
    "  - id: write\n    depends_on: [typed]\n    load: {connection: out, path: out.csv}",
    "",
  ].join("\n");
}

function extractOnly(csv: string, checks: readonly string[]): string {
  return [
    "version: 1",
    "name: bench_unique",
    "connections:",
    `  data: {type: file, root: ${JSON.stringify(join(csv, ".."))}}`,
    "steps:",
    `  - id: read\n    extract: {connection: data, path: ${JSON.stringify(csv.split("/").pop())}}`,
    ...(checks.length > 0 ? ["    checks:", ...checks.map((c) => `      - ${c}`)] : []),
    "",
  ].join("\n");
}

/** Runs the CLI in `dir`, with its peak RSS and CPU time (`sampledRun`). */
async function cliRun(cli: string, dir: string, file: string): Promise<SampledRun> {
  const r = await sampledRun(process.execPath, [cli, "run", file], { ...process.env, LOG_LEVEL: "warn", LOG_FORMAT: "json" }, dir);
  if (!r.ok) throw new Error(`agent-etl run ${file} failed: ${r.stderr}`);
  return r;
}

const secs = (ms: number) => (ms / 1000).toFixed(2);

export async function run(): Promise<void> {
  const cli = await buildBenchCli(CLI_DIR, "cli");
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-bench-checks-"));
  try {
    const million = await generateCsv(1_000_000);
    writeFileSync(join(dir, "plain.etl.yaml"), castToFile(million, []));
    writeFileSync(join(dir, "checked.etl.yaml"), castToFile(million, FIVE_CHECKS));
    console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const plain: Awaited<ReturnType<typeof cliRun>>[] = [];
    const checked: typeof plain = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push(await cliRun(cli, dir, "plain.etl.yaml"));
      checked.push(await cliRun(cli, dir, "checked.etl.yaml"));
    }
    const m = (runs: typeof plain, k: "ms" | "cpuS" | "rssMb") => median(runs.map((r) => r[k]));
    table(
      ["1,000,000 rows: file → cast → file", "wall s (median)", "runs", "CPU s (median)", "peak RSS MB"],
      [
        ["without checks", secs(m(plain, "ms")), plain.map((r) => secs(r.ms)).join(", "), m(plain, "cpuS").toFixed(1), m(plain, "rssMb")],
        ["with five checks", secs(m(checked, "ms")), checked.map((r) => secs(r.ms)).join(", "), m(checked, "cpuS").toFixed(1), m(checked, "rssMb")],
      ],
    );
    console.log(`\nratio with/without: wall ${(m(checked, "ms") / m(plain, "ms")).toFixed(3)}, CPU ${(m(checked, "cpuS") / m(plain, "cpuS")).toFixed(3)} (goal ≤ 1.15)`);

    const five = await generateCsv(5_000_000);
    writeFileSync(join(dir, "big-plain.etl.yaml"), extractOnly(five, []));
    writeFileSync(join(dir, "big-checked.etl.yaml"), extractOnly(five, ["unique: [id]", "not_null: [id, amount]"]));
    const bigPlain = await cliRun(cli, dir, "big-plain.etl.yaml");
    const bigChecked = await cliRun(cli, dir, "big-checked.etl.yaml");
    console.log("");
    table(
      ["5,000,000 rows: file extract", "wall s", "CPU s", "peak RSS MB"],
      [
        ["without checks", secs(bigPlain.ms), bigPlain.cpuS.toFixed(1), bigPlain.rssMb],
        ["unique: [id] + not_null: [id, amount] (ids as CSV text: the 64-bit hash table)", secs(bigChecked.ms), bigChecked.cpuS.toFixed(1), bigChecked.rssMb],
      ],
    );
    console.log(`\npeak RSS with unique + not_null over 5,000,000 rows: ${bigChecked.rssMb} MB (goal < 300 MB); load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
