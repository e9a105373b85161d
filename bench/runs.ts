// Issue 21: `agent-etl runs` with 1,000 recorded runs answers in ≤ 200 ms. Measured twice: the
// listing itself in process (read the history, sort, print JSON), and the whole CLI as a user runs
// it (process start included; wall time on a shared machine, CPU time beside it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalHistory } from "../server/src/runner/history/localHistory";
import type { RunRecord } from "../server/src/runner/history/recordSchema";
import { buildBenchCli, median, sampledRun, table } from "./_util";

const RUNS = 1000;
const TARGET_MS = 200;

function record(i: number): RunRecord {
  const started = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
  const steps = ["extract_orders", "clean_orders", "load_orders"].map((id, k) => ({
    id, kind: (["extract", "transform", "load"] as const)[k] as "extract", status: "succeeded" as const, rows_in: k === 0 ? null : 1000 + i, rows_out: 1000 + i,
    duration_ms: 100 + (i % 7), attempts: 1, checks: { passed: 2, failed: 0, warned: 0 }, anomalies: [], error: null,
  }));
  return { run_id: `manual_${String(i).padStart(5, "0")}`, pipeline: "bench", file: "bench.etl.yaml", trigger: "cli", status: i % 10 === 0 ? "failed" : "succeeded", started_at: started, finished_at: started, duration_ms: 300, rows_loaded: 1000 + i, skipped_checks: false, anomalies: [], steps };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "etl-bench-runs-"));
  try {
    writeFileSync(join(dir, "bench.etl.yaml"), "version: 1\nname: bench\nconnections:\n  files: {type: file}\nsteps:\n  - id: extract_orders\n    extract: {connection: files, path: in.csv}\n");
    const historyDir = join(dir, ".etl", "history", "bench");
    mkdirSync(historyDir, { recursive: true });
    const history = new LocalHistory(historyDir, ".etl/history/bench/");
    // Each run is written twice, as a real run is: when it starts, and when it ends.
    for (let i = 0; i < RUNS; i++) {
      await history.save({ ...record(i), status: "running", finished_at: null, duration_ms: null }, new Set());
      await history.save(record(i), new Set(["extract_orders", "clean_orders", "load_orders"]));
    }
    const inProcess: number[] = [];
    for (let i = 0; i < 11; i++) {
      const t0 = performance.now();
      const runs = await history.list({ limit: 20 });
      JSON.stringify({ runs });
      inProcess.push(performance.now() - t0);
      if (runs.length !== 20 || runs[0]?.run_id !== "manual_00999") throw new Error("the history did not list the newest runs first");
    }
    const cli = await buildBenchCli(dir, "cli");
    const cliRuns: { ms: number; cpu: number }[] = [];
    for (const args of [["--version"], ["runs"], ["runs", "--format", "json"], ["runs", "show", "manual_00500"], ["runs", "--status", "failed"]]) {
      const samples = [];
      for (let i = 0; i < 3; i++) {
        const r = await sampledRun(process.execPath, [cli, ...args, ...(args[0] === "runs" ? ["bench.etl.yaml"] : [])], process.env, dir);
        if (!r.ok) throw new Error(`agent-etl ${args.join(" ")} failed: ${r.stderr}`);
        samples.push(r);
      }
      cliRuns.push({ ms: median(samples.map((s) => s.ms)), cpu: median(samples.map((s) => s.cpuS)) });
    }
    const rows = [["list 20 of 1,000 (in process)", median(inProcess).toFixed(1), ""], ...cliRuns.map((c, i) => [["--version (process start alone)", "runs", "runs --format json", "runs show ID", "runs --status failed"][i] ?? "", c.ms.toFixed(0), c.cpu.toFixed(2)])];
    table(["1,000 recorded runs", "median ms (wall)", "CPU s"], rows);
    const worst = Math.max(...cliRuns.slice(1).map((c) => c.ms));
    console.log(`\nslowest CLI answer: ${worst.toFixed(0)} ms (target ≤ ${TARGET_MS} ms, process start included) ${worst <= TARGET_MS ? "✓" : "✗"}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
