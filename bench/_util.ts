/** Small helpers shared by benchmark sections. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";

/**
 * Bundles the CLI from the current sources into `dir` as `<name>.js` (and `<name>-main.js`), with
 * the AWS SDK bundle it loads beside it, exactly as esbuild.mjs builds dist/ (dist/ is left alone:
 * tests may be using it); `production`: minified, as `npm pack` builds it.
 */
export async function buildBenchCli(dir: string, name: string, { production = false } = {}): Promise<string> {
  const esbuild = await import("esbuild");
  const options = (await import(join(__dirname, "..", "scripts", "buildOptions.mjs"))) as {
    cliBundles: (o: { version: string; production: boolean }, name: string) => Record<string, unknown>[];
    awsSdkBundle: (o: { version: string; production: boolean }) => Record<string, unknown>;
  };
  for (const bundle of options.cliBundles({ version: "bench", production }, name)) await esbuild.build({ ...bundle, sourcemap: false, outdir: dir });
  await esbuild.build({ ...options.awsSdkBundle({ version: "bench", production }), sourcemap: false, outdir: dir });
  return join(dir, `${name}.js`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs `fn` `runs` times after `warmup` runs; returns the median in milliseconds. */
export function timeMedian(fn: () => void, runs: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Prints rows as a Markdown table. */
export function table(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/**
 * A realistic generated pipeline of `n` steps: extracts, transforms with expressions, joins and
 * loads, fanning in and out, so every rule has work to do.
 */
export function generatePipeline(n: number): string {
  const lines = [
    "version: 1",
    `name: generated_${n}`,
    'schedule: "0 6 * * 1-5"',
    "defaults: {retries: 2, retry_delay: 30s}",
    "connections:",
    "  raw: {type: file, root: ./data}",
    "  wh:",
    "    type: postgres",
    "    url: ${env:WAREHOUSE_URL}",
    "steps:",
  ];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    lines.push(`  - id: step_${i}`, `    description: Step number ${i} of the generated pipeline`);
    if (kind === 0 || i < 2) {
      lines.push("    extract:", "      connection: raw", `      path: input_${i}.csv`);
    } else if (kind === 3) {
      lines.push(`    depends_on: [step_${i - 1}]`, "    load:", "      connection: wh", `      table: public.t_${i}`, "      mode: merge", "      key: [id]");
    } else {
      const other = i - 2 - (i % 4 === 2 ? 0 : 1);
      const deps = kind === 2 && other >= 0 && other % 4 !== 3 ? `[step_${i - 1}, step_${other}]` : `[step_${i - 1}]`;
      lines.push(`    depends_on: ${deps}`, "    transform:", "      - filter: \"amount > 0 and status = 'paid'\"", "      - derive:", "          cents: amount * 100", "      - select: [id, amount, cents, status]");
      if (deps.includes(",")) lines.push(`      - join: {with: step_${other}, on: id, how: left}`);
    }
  }
  return lines.join("\n") + "\n";
}

export interface SampledRun {
  ms: number;
  /** Peak RSS (VmHWM) in MB. */
  rssMb: number;
  /** User + system CPU seconds of the process itself: a busy machine inflates it far less than wall time. */
  cpuS: number;
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a command, sampling its peak RSS and CPU time from /proc every 50 ms until it exits. */
export async function sampledRun(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<SampledRun> {
  const t0 = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], ...(cwd ? { cwd } : {}) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let peakKb = 0;
  let ticks = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
      // utime + stime (fields 14, 15), in clock ticks.
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks = Math.max(ticks, Number(stat[11]) + Number(stat[12]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 50);
  const [code] = (await once(child, "exit")) as [number];
  clearInterval(timer);
  return { ms: performance.now() - t0, rssMb: Math.round(peakKb / 1024), cpuS: +(ticks / 100).toFixed(1), ok: code === 0, stdout: stdout.slice(-2000), stderr: stderr.slice(-2000) };
}

/**
 * A generated CSV of `rows` lines (`line(i)` for i = 1…rows, each ending in a newline) under
 * `header`, written once into `dir` as `name` and reused by later runs (written to a temporary
 * name first, so an interrupted run never leaves half a file).
 */
export async function cachedCsv(dir: string, name: string, header: string, rows: number, line: (i: number) => string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  if (existsSync(path)) return path;
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  out.write(`${header}\n`);
  let chunk = "";
  for (let i = 1; i <= rows; i++) {
    chunk += line(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
  renameSync(tmp, path);
  return path;
}
