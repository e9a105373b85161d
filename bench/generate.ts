/**
 * `agent-etl generate` (issue 8): generation time for a 500-table database with foreign keys
 * (in-process: catalog read + plan + YAML + validation; and the CLI end to end), and the time from
 * `generate` to a completed first run for the dozen-table PostgreSQL case of the tests.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { analyzeSourceForGenerate, generatePipeline, planPipeline, renderChecked } from "../server/src/generate";
import { parseLocation } from "../server/src/generate/location";
import { renderPlan } from "../server/src/generate/yamlDocument";
import { DATA, SCHEMA } from "../test/integration/generate/fixture";
import { startPostgres } from "../test/support/postgres";
import { buildBenchCli, median, table } from "./_util";

const CACHE = join(homedir(), ".cache", "agent-etl-test", "bench");
const CLI = join(CACHE, "generate-cli.js");

async function buildCli(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  await buildBenchCli(CACHE, "generate-cli");
}

/** 500 tables: each references the previous one and its "parent" (i/2), every 50th closes a cycle. */
function manyTables(n: number): string {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    out.push(`CREATE TABLE t${i} (id int PRIMARY KEY, prev_id int, parent_id int, name text NOT NULL, amount numeric(10,2), created_on date, payload jsonb, updated_at timestamptz NOT NULL);`);
  }
  for (let i = 2; i <= n; i++) {
    out.push(`ALTER TABLE t${i} ADD FOREIGN KEY (prev_id) REFERENCES t${i - 1};`, `ALTER TABLE t${i} ADD FOREIGN KEY (parent_id) REFERENCES t${Math.max(1, i >> 1)};`);
    if (i % 50 === 0) out.push(`ALTER TABLE t${i - 49} ADD CONSTRAINT t${i - 49}_cycle FOREIGN KEY (parent_id) REFERENCES t${i};`);
  }
  return out.join("\n");
}

/** Where the in-process time goes (medians of 3). */
async function breakdown(url: string, dir: string, logger: pino.Logger): Promise<{ catalog: number; plan: number; render: number; validate: number }> {
  const times = { catalog: [] as number[], plan: [] as number[], render: [] as number[], validate: [] as number[] };
  for (let i = 0; i < 3; i++) {
    const source = await parseLocation(url, "source", dir, dir);
    const target = await parseLocation(url, "target", dir, dir);
    let t = performance.now();
    const analysis = await analyzeSourceForGenerate(source, logger);
    times.catalog.push(performance.now() - t);
    t = performance.now();
    const plan = planPipeline(analysis, { target, targetDefaulted: false });
    times.plan.push(performance.now() - t);
    t = performance.now();
    renderPlan(plan);
    const render = performance.now() - t;
    times.render.push(render);
    t = performance.now();
    renderChecked(plan, [...source.env, ...target.env], []);
    times.validate.push(performance.now() - t - render);
  }
  return { catalog: median(times.catalog), plan: median(times.plan), render: median(times.render), validate: median(times.validate) };
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const t = performance.now();
  const res = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, LOG_LEVEL: "warn", ...env }, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`agent-etl ${args[0]} failed: ${res.stderr}`);
  return performance.now() - t;
}

export async function run(): Promise<void> {
  await buildCli();
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), "bench-generate-"));
  try {
    const big = await pg.createDatabase("bench_500");
    await pg.query(manyTables(500), [], "bench_500");
    const logger = pino({ level: "silent" });
    const inProcess: number[] = [];
    let steps = 0;
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      const result = await generatePipeline({ from: big, to: big, baseDir: dir, cwd: dir, logger });
      if (i > 0) inProcess.push(performance.now() - t);
      steps = result.plan.steps.length;
    }
    const phases = await breakdown(big, dir, logger);
    const bigCli = cli(["generate", "--from", big, "--to", big, "-o", "big.etl.yaml"], dir);

    const source = await pg.createDatabase("bench_src");
    const target = await pg.createDatabase("bench_dst");
    await pg.query(SCHEMA, [], "bench_src");
    await pg.query(DATA, [], "bench_src");
    const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
    const generate = cli(["generate", "--from", source, "--to", target, "-o", "dozen.etl.yaml"], dir);
    const firstRun = cli(["run", "dozen.etl.yaml"], dir, env);
    const [rows] = await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM order_items", [], "bench_dst");

    console.log("\n## generate (issue 8)\n");
    table(
      ["case", "time", "note"],
      [
        ["500 tables, 998 FKs + 10 cycles: generatePipeline in-process (median of 3)", `${median(inProcess).toFixed(0)} ms`, `${steps} steps; catalog read + plan + YAML + validate`],
        ["500 tables: of which catalog read (4 queries)", `${phases.catalog.toFixed(0)} ms`, ""],
        ["500 tables: of which plan (FK order, names, casts)", `${phases.plan.toFixed(0)} ms`, ""],
        ["500 tables: of which YAML rendering", `${phases.render.toFixed(0)} ms`, ""],
        ["500 tables: of which validation of the file", `${phases.validate.toFixed(0)} ms`, ""],
        ["500 tables: `agent-etl generate` CLI, end to end", `${bigCli.toFixed(0)} ms`, "includes Node start-up"],
        ["dozen tables: `agent-etl generate`", `${generate.toFixed(0)} ms`, ""],
        ["dozen tables: first `agent-etl run`", `${firstRun.toFixed(0)} ms`, `order_items: ${rows?.n ?? 0} rows`],
        ["dozen tables: generate → completed first run", `${(generate + firstRun).toFixed(0)} ms`, "machine time; goal: seconds"],
      ],
    );
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
