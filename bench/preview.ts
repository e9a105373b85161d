// Issue 23: `agent-etl preview` of a file → filter/derive chain on a 1M-row CSV (generated here),
// target ≤ 1 s: end to end through the CLI (one process per call, start-up included) and in
// process (`previewStep`, the time the MCP tool and the editor's call add to start-up). A filter
// that keeps 1% of the rows shows the reading still stops early.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { validatePipeline } from "../server/src/pipeline/validate";
import { previewStep } from "../server/src/runner/preview";
import { buildBenchCli, median, table } from "./_util";

const ROWS = 1_000_000;

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write("order_id,customer,amount,day\n");
  let chunk = "";
  for (let i = 1; i <= ROWS; i++) {
    chunk += `${i},c${i % 997},${((i * 37) % 1000) / 10},2024-01-${String((i % 28) + 1).padStart(2, "0")}\n`;
    if (i % 10_000 === 0) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      chunk = "";
    }
  }
  await new Promise<void>((resolve, reject) => out.end(chunk, () => resolve()).once("error", reject));
}

const PIPELINE = `version: 1
name: bench_preview
connections:
  files: { type: file, root: . }
steps:
  - id: orders
    extract: { connection: files, path: orders.csv }
  - id: shaped
    depends_on: [orders]
    transform:
      - cast: { order_id: integer, amount: decimal }
      - filter: "$number(amount) > 50"
      - derive: { doubled: "$number(amount) * 2", tag: "customer & '-' & day" }
  - id: rare
    depends_on: [orders]
    transform:
      - filter: "$number(order_id) % 100 = 0"
      - derive: { tag: "customer & '-' & day" }
`;

async function inProcess(file: string, step: string, runs: number): Promise<number> {
  const result = validatePipeline(readFileSync(file, "utf8"), { envNames: new Set() });
  if (!result.pipeline) throw new Error("the bench pipeline does not validate");
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const out = await previewStep({ file, pipeline: result.pipeline, env: new Map(), step, limit: 50, params: [], logger: pino({ level: "silent" }) });
    if (out.rows.length !== 50) throw new Error(`${step}: ${out.rows.length} rows`);
    if (i > 0) times.push(performance.now() - t);
  }
  return median(times);
}

/** Median wall time of the CLI call, and of the preview inside it (its `durationMs`: cold, after start-up). */
function viaCli(cli: string, dir: string, args: string[], runs: number): { wall: number; work: number } {
  const walls: number[] = [];
  const works: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8" });
    walls.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
    if (args[0] === "preview") works.push((JSON.parse(r.stdout) as { durationMs: number }).durationMs);
  }
  return { wall: median(walls), work: works.length > 0 ? median(works) : 0 };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-preview-"));
  try {
    const cli = await buildBenchCli(dir, "cli");
    await writeCsv(join(dir, "orders.csv"));
    writeFileSync(join(dir, "p.etl.yaml"), PIPELINE);
    const file = join(dir, "p.etl.yaml");
    const mark = (ms: number) => `${ms.toFixed(0)} ${ms <= 1000 ? "✓" : "✗"}`;
    const rows: string[][] = [];
    for (const [step, what] of [["shaped", "cast → filter (half) → derive"], ["rare", "filter (1%) → derive"]] as const) {
      const cliRun = viaCli(cli, dir, ["preview", "p.etl.yaml", "--step", step, "--format", "json"], 5);
      rows.push([`${what}, 50 rows`, mark(cliRun.wall), String(cliRun.work), (await inProcess(file, step, 10)).toFixed(0), "≤ 1000"]);
    }
    rows.push(["(the CLI's start alone: --version)", viaCli(cli, dir, ["--version"], 5).wall.toFixed(0), "—", "—", "—"]);
    table([`preview of a ${ROWS.toLocaleString("en-US")}-row CSV`, "CLI ms (median of 5, start included)", "of which preview ms (cold)", "in process ms (warm, median of 10)", "target"], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
