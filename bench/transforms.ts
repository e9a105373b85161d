/**
 * Transform throughput (issue 24): `agent-etl run` of file → cast + filter + derive (arithmetic,
 * comparisons, string functions) + aggregate (group by one column; count/sum/avg/min/max) → file,
 * on a generated 1,000,000-row CSV, beside DuckDB and polars' eager API computing the same result
 * from the same CSV (bench/transformsPeer.py; results are checked equal, sums and averages to 1e-9
 * relative). Goal: within 2× of DuckDB, ahead of polars eager; a 5,000,000-row run keeps peak RSS
 * < 300 MB (BENCH_TX_BIG=0 skips it). Runs alternate between the engines, BENCH_TX_RUNS (default 3)
 * each; medians are reported with the load average, since the machine is shared.
 *
 * The peers live in a virtualenv in ~/.cache/agent-etl-test/peers (made with pip on first use, or
 * BENCH_PYTHON names a python that has duckdb and polars); without them only ours runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBenchCli, cachedCsv, median, sampledRun, table, type SampledRun } from "./_util";

const CACHE = join(homedir(), ".cache", "agent-etl-test", "bench");
const PEERS = join(homedir(), ".cache", "agent-etl-test", "peers");
const PEER_VERSIONS = ["duckdb==2.0.1", "polars==2.1.0"];
const RUNS = Math.max(1, Number(process.env.BENCH_TX_RUNS ?? 3) || 3);

async function generateCsv(rows: number): Promise<string> {
  const categories = ["books", "games", "music", "garden", "tools", "toys", "food", "home"];
  return cachedCsv(CACHE, `sales-${rows}.csv`, "id,category,customer,price,qty,discount,status", rows, (i) => {
    const price = (((i * 37) % 100_000) / 100).toFixed(2);
    return `${i},${categories[i % 8]},c${i % 50_000},${price},${i % 13},${((i % 7) / 20).toFixed(2)},${i % 4 ? "paid" : "refunded"}\n`;
  });
}

function pipelineText(csv: string, out: string): string {
  return `version: 1
name: bench_transforms
connections:
  files: {type: file, root: ${JSON.stringify(join(csv, ".."))}}
  out: {type: file, root: ${JSON.stringify(join(out, ".."))}}
steps:
  - id: read
    extract: {connection: files, path: ${JSON.stringify(csv.split("/").pop())}}
  - id: shape
    depends_on: [read]
    transform:
      - cast: {price: number, qty: integer, discount: number}
      - filter: "status = 'paid' and qty > 0 and price >= 5 and $length(customer) > 3"
      - derive:
          revenue: "price * qty * (1 - discount)"
          tier: "price * qty > 500 ? 'big' : 'small'"
          label: "$uppercase($substring(customer, 0, 4)) & '-' & $string(qty)"
      - aggregate:
          group_by: [category]
          metrics: {orders: "count()", revenue: "sum(revenue)", avg_price: "avg(price)", min_price: "min(price)", max_qty: "max(qty)", max_label: "max(label)", min_tier: "min(tier)"}
  - id: write
    depends_on: [shape]
    load: {connection: out, path: ${JSON.stringify(out.split("/").pop())}}
`;
}

/** A python with duckdb and polars, installed into the cache on first use; undefined when that fails. */
function peerPython(): string | undefined {
  const has = (py: string) => spawnSync(py, ["-c", "import duckdb, polars"], { stdio: "ignore" }).status === 0;
  const given = process.env.BENCH_PYTHON;
  if (given) return has(given) ? given : undefined;
  const py = join(PEERS, "venv", "bin", "python");
  if (existsSync(py) && has(py)) return py;
  console.log(`installing the peers (${PEER_VERSIONS.join(", ")}) into ${PEERS}/venv …`);
  mkdirSync(PEERS, { recursive: true });
  if (spawnSync("python3", ["-m", "venv", join(PEERS, "venv")], { stdio: "inherit" }).status !== 0) return undefined;
  if (spawnSync(py, ["-m", "pip", "install", "-q", ...PEER_VERSIONS], { stdio: "inherit" }).status !== 0) return undefined;
  return has(py) ? py : undefined;
}

type Row = Record<string, string>;

function readCsv(path: string): Map<string, Row> {
  const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const names = (header as string).split(",");
  return new Map(lines.map((l) => {
    const cells = l.split(",");
    const row = Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ""]));
    return [row.category as string, row];
  }));
}

/** "" when `got` has the same groups and values as `expected`; else what differs. */
function difference(expected: Map<string, Row>, got: Map<string, Row>): string {
  if (expected.size !== got.size) return `${got.size} groups, expected ${expected.size}`;
  for (const [key, e] of expected) {
    const g = got.get(key);
    if (!g) return `group ${key} missing`;
    for (const [col, v] of Object.entries(e)) {
      const w = g[col] ?? "";
      const a = Number(v);
      const b = Number(w);
      const same = v === w || (!Number.isNaN(a) && !Number.isNaN(b) && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)));
      if (!same) return `group ${key}, ${col}: ${w}, expected ${v}`;
    }
  }
  return "";
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const load = () => (loadavg()[0] ?? 0).toFixed(2);

export async function run(): Promise<void> {
  const ROWS = Number(process.env.BENCH_TX_ROWS ?? 1_000_000) || 1_000_000;
  const csv = await generateCsv(ROWS);
  const cli = await buildBenchCli(CACHE, "cli");
  const python = peerPython();
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-bench-tx-"));
  try {
    const ours = join(dir, "ours.csv");
    const pipeline = join(dir, "tx.etl.yaml");
    writeFileSync(pipeline, pipelineText(csv, ours));
    const engines: { name: string; run: () => Promise<SampledRun>; out: string }[] = [
      { name: "agent-etl run", run: () => sampledRun(process.execPath, [cli, "run", pipeline], { ...process.env, LOG_LEVEL: "warn" }), out: ours },
    ];
    if (python) {
      for (const peer of ["duckdb", "polars"]) {
        const out = join(dir, `${peer}.csv`);
        engines.push({ name: peer === "duckdb" ? "DuckDB (python)" : "polars eager (python)", run: () => sampledRun(python, [join(__dirname, "transformsPeer.py"), peer, csv, out]), out });
      }
    } else console.log("DuckDB and polars are not available (pip install into ~/.cache/agent-etl-test/peers failed; or set BENCH_PYTHON): only ours runs");
    const runs = new Map<string, SampledRun[]>(engines.map((e) => [e.name, []]));
    const loads: string[] = [];
    // Alternating, so a burst of load elsewhere falls on every engine alike.
    for (let i = 0; i < RUNS; i++) {
      for (const e of engines) {
        rmSync(e.out, { force: true });
        const r = await e.run();
        if (!r.ok) throw new Error(`${e.name} failed: ${r.stderr}`);
        (runs.get(e.name) as SampledRun[]).push(r);
      }
      loads.push(load());
    }
    const expected = readCsv(ours);
    const rows = engines.map((e) => {
      const rs = runs.get(e.name) as SampledRun[];
      const ms = median(rs.map((r) => r.ms));
      const check = e.out === ours ? `${expected.size} groups` : difference(expected, readCsv(e.out)) || "same result";
      return { name: e.name, ms, cpu: median(rs.map((r) => r.cpuS)), rss: Math.max(...rs.map((r) => r.rssMb)), all: rs.map((r) => seconds(r.ms)).join(", "), check };
    });
    const duck = rows.find((r) => r.name.startsWith("DuckDB"));
    const ourMs = (rows[0] as (typeof rows)[number]).ms;
    console.log(`${ROWS.toLocaleString("en")} rows, file → cast + filter + derive + aggregate → file; ${RUNS} alternating runs each, medians`);
    table(
      ["engine", "wall s (median)", "runs", "CPU s", "peak RSS MB", "vs DuckDB", "result"],
      rows.map((r) => [r.name, seconds(r.ms), r.all, r.cpu, r.rss, duck ? `${(r.ms / duck.ms).toFixed(1)}×` : "-", r.check]),
    );
    if (duck) console.log(`ours / DuckDB: ${(ourMs / duck.ms).toFixed(1)}× (goal ≤ 2×)`);
    console.log(`load average (1 min) after each round: ${loads.join(", ")} (2 cores)`);
    if (process.env.BENCH_TX_BIG !== "0") {
      const big = await generateCsv(5 * ROWS);
      writeFileSync(pipeline, pipelineText(big, ours));
      const r = await sampledRun(process.execPath, [cli, "run", pipeline], { ...process.env, LOG_LEVEL: "warn" });
      console.log(`${(5 * ROWS).toLocaleString("en")} rows: ${r.ok ? `${seconds(r.ms)} s, CPU ${r.cpuS} s, peak RSS ${r.rssMb} MB (goal < 300 MB)` : `FAILED ${r.stderr.slice(-300)}`}; load average ${load()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
