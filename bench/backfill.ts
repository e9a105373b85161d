/**
 * Backfills (issue 22): `run --from D1 --to D2` over N days of a small daily pipeline (file → file)
 * against N single-day `run --ds` commands. The target: the backfill takes at most 1.5× the
 * single runs' time less their start-up (a `--dry-run` of the same file: start, parse, plan), i.e.
 * start-up is paid once. `BENCH_BACKFILL_DAYS` sets N (default 31).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileSync, mkdirSync } from "node:fs";
import { buildBenchCli, median, sampledRun, table } from "./_util";

const PIPELINE = `version: 1
name: daily
connections:
  disk: { type: file, root: . }
steps:
  - id: src
    extract: { connection: disk, path: "in/{{ ds }}.csv" }
  - id: shape
    depends_on: [src]
    transform:
      - cast: { amount: number }
      - filter: "amount > 0"
  - id: out
    depends_on: [shape]
    load: { connection: disk, path: "out/{{ ds }}.jsonl" }
`;

function day(i: number): string {
  return new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_BACKFILL_DAYS ?? 31);
  const dir = mkdtempSync(join(tmpdir(), "bench-backfill-"));
  try {
    const cli = await buildBenchCli(dir, "backfill-cli");
    const file = join(dir, "daily.etl.yaml");
    writeFileSync(file, PIPELINE);
    mkdirSync(join(dir, "in"));
    const days = Array.from({ length: n }, (_, i) => day(i));
    const rows = Array.from({ length: 1000 }, (_, i) => `${i},${(i % 7) - 1}`).join("\n");
    for (const ds of days) writeFileSync(join(dir, "in", `${ds}.csv`), `id,amount\n${rows}\n`);
    const node = process.execPath;
    const startups: number[] = [];
    for (let i = 0; i < 3; i++) startups.push((await sampledRun(node, [cli, "run", file, "--dry-run"], process.env, dir)).ms);
    const startup = median(startups);
    let singles = 0;
    for (const ds of days) {
      const r = await sampledRun(node, [cli, "run", file, "--ds", ds], process.env, dir);
      if (!r.ok) throw new Error(`run --ds ${ds} failed: ${r.stderr}`);
      singles += r.ms;
    }
    const backfill = await sampledRun(node, [cli, "run", file, "--from", days[0] as string, "--to", days[n - 1] as string], process.env, dir);
    if (!backfill.ok) throw new Error(`backfill failed: ${backfill.stdout}${backfill.stderr}`);
    const work = Math.max(1, singles - n * startup);
    table(
      ["days", "start-up (median)", `${n} single runs`, "single runs less start-up", "backfill", "backfill / (singles − start-up)", "target"],
      [[n, `${startup.toFixed(0)} ms`, `${(singles / 1000).toFixed(1)} s`, `${(work / 1000).toFixed(1)} s`, `${(backfill.ms / 1000).toFixed(1)} s`, `${(backfill.ms / work).toFixed(2)}×`, "≤ 1.5×"]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
