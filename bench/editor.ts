/**
 * `npm run bench -- editor` (issue 24, "The editor: no quadratic path"): every kind of edit — a
 * value, a step id, a `depends_on` entry, adding or deleting a step, a line that shifts everything
 * below, pasting 100 steps — at 500, 1,000 and 5,000 steps, edit → diagnostics over stdio, our
 * server beside yaml-language-server (configured with our schema) in the same run. Each edit is
 * applied and undone in turn (alternating between the servers), and each figure is the median of
 * those runs; beside the wall time, the CPU the server process spent per edit (from /proc, so a
 * busy machine inflates it far less). The growth from 500 to 5,000 steps says whether a path is
 * linear (10×) or worse. Then the first open of 5,000 steps, and the largest file the server
 * checks (just under the 3 MB limit, ~32,000 steps): open → diagnostics and peak RSS.
 * Run alone: `npx tsx bench/editor.ts` (after `npm run build`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { MAX_FILE_BYTES } from "../server/src/pipeline/limits";
import { SERVER_NODE_FLAGS } from "../server/src/protocol";
import { LspClient, ROOT, SERVER } from "../test/lsp/client";
import { generatePipeline } from "../test/lsp/generate";
import { largePipeline } from "../test/support/hostile";
import { median, table } from "./_util";

const SIZES = [500, 1000, 5000];
const ROUNDS = 6;
const YAML_LS = join(ROOT, "node_modules", "yaml-language-server", "bin", "yaml-language-server");
const SCHEMA = pathToFileURL(resolve(ROOT, "schemas", "pipeline.schema.json")).toString();

type Edit = (text: string, steps: number) => string;

const stepAt = (steps: number) => `  - id: step_${Math.floor(steps / 2)}\n`;
const pasted = (n: number) => Array.from({ length: n }, (_, i) => `  - id: pasted_${i}\n    depends_on: [step_${i * 3}]\n    transform:\n      - limit: 1\n`).join("");

/** Each kind of edit, as a change of the generated text around its middle step. */
const EDITS: Record<string, Edit> = {
  value: (t, n) => t.replace(`      table: public.orders_${3 * Math.floor(n / 6)}\n`, `      table: public.orders_x\n`),
  "step id": (t, n) => t.replace(stepAt(n), stepAt(n).replace("\n", "x\n")),
  "depends_on entry": (t, n) => t.replace(`depends_on: [step_${Math.floor(n / 2) - 1}]`, `depends_on: [step_${Math.floor(n / 2) - 1}, step_0]`),
  "add a step": (t, n) => t.replace(stepAt(n), pasted(1) + stepAt(n)),
  "delete a step": (t, n) => {
    const from = t.indexOf(stepAt(n));
    return t.slice(0, from) + t.slice(t.indexOf(`  - id: step_${Math.floor(n / 2) + 1}\n`));
  },
  "insert a line above": (t, n) => t.replace(stepAt(n), `  # moved\n${stepAt(n)}`),
  "paste 100 steps": (t, n) => t.replace(stepAt(n), pasted(100) + stepAt(n)),
};

/** The one range edit that turns `before` into `after`. */
function rangeEdit(before: string, after: string) {
  let head = 0;
  while (head < before.length && head < after.length && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  const doc = TextDocument.create("file:///x", "yaml", 0, before);
  return { range: { start: doc.positionAt(head), end: doc.positionAt(before.length - tail) }, text: after.slice(head, after.length - tail) };
}

/** CPU milliseconds (user + system) a process has spent, from /proc (10 ms ticks). */
function cpuMs(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(stat[11]) + Number(stat[12])) * 10;
}

function peakMb(pid: number | undefined): number {
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);
}

interface Server {
  name: string;
  client: LspClient;
  languageId: string;
  /** yaml-language-server does not echo versions in its diagnostics. */
  versioned: boolean;
}

async function ours(dir: string): Promise<Server> {
  const client = await LspClient.start({ rootUri: pathToFileURL(dir).toString(), command: [process.execPath, ...SERVER_NODE_FLAGS, SERVER, "--stdio"] });
  return { name: "ours", client, languageId: "etl-pipeline", versioned: true };
}

async function yamlLs(): Promise<Server> {
  const settings = { yaml: { validate: true, completion: true, hover: true, schemas: { [SCHEMA]: ["*.etl.yaml"] }, schemaStore: { enable: false } } };
  const client = await LspClient.start({ command: [process.execPath, YAML_LS, "--stdio"], configuration: (section) => (section === "yaml" ? settings.yaml : section ? null : settings) });
  await client.connection.sendNotification("workspace/didChangeConfiguration", { settings });
  return { name: "yaml-ls", client, languageId: "yaml", versioned: false };
}

/** Opens `text` and waits for its diagnostics; milliseconds. */
async function open(server: Server, uri: string, text: string): Promise<number> {
  const from = server.client.published.length;
  const start = performance.now();
  await server.client.open(uri, text, server.languageId);
  await server.client.diagnostics(uri, { from, timeoutMs: 300_000, ...(server.versioned ? { version: 1 } : {}) });
  return performance.now() - start;
}

/** One change to its diagnostics: wall and server CPU milliseconds. */
async function change(server: Server, uri: string, before: string, after: string): Promise<{ ms: number; cpu: number }> {
  const { range, text } = rangeEdit(before, after);
  const pid = server.client.process.pid;
  const from = server.client.published.length;
  const cpu0 = cpuMs(pid);
  const start = performance.now();
  const version = await server.client.edit(uri, range, text);
  await server.client.diagnostics(uri, { from, timeoutMs: 300_000, ...(server.versioned ? { version } : {}) });
  return { ms: performance.now() - start, cpu: cpuMs(pid) - cpu0 };
}

type Figures = Record<string, Record<string, Record<number, { ms: number; cpu: number }>>>;

async function edits(servers: Server[], dir: string): Promise<Figures> {
  const out: Figures = {};
  for (const steps of SIZES) {
    const base = generatePipeline(steps);
    const uris = servers.map((s) => pathToFileURL(join(dir, `${s.name}_${steps}.etl.yaml`)).toString());
    for (const [i, s] of servers.entries()) await open(s, uris[i] as string, base);
    for (const [kind, edit] of Object.entries(EDITS)) {
      const edited = edit(base, steps);
      if (edited === base) throw new Error(`bench editor: the "${kind}" edit changed nothing at ${steps} steps`);
      const times = servers.map(() => ({ ms: [] as number[], cpu: [] as number[] }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, s] of servers.entries()) {
          // Edit, then undo: the document is the base text again for the next round.
          for (const [before, after] of [[base, edited], [edited, base]] as const) {
            const t = await change(s, uris[i] as string, before, after);
            times[i]?.ms.push(t.ms);
            times[i]?.cpu.push(t.cpu);
          }
        }
      }
      for (const [i, s] of servers.entries()) {
        const t = times[i] as { ms: number[]; cpu: number[] };
        ((out[kind] ??= {})[s.name] ??= {})[steps] = { ms: median(t.ms), cpu: t.cpu.reduce((a, b) => a + b, 0) / t.cpu.length };
      }
    }
    for (const [i, s] of servers.entries()) await s.client.close(uris[i] as string);
  }
  return out;
}

/** First open (a fresh server) of `text`, and that server's peak RSS; each server in turn. */
async function freshOpen(make: () => Promise<Server>, dir: string, name: string, text: string): Promise<{ ms: number; mb: number }> {
  const server = await make();
  try {
    await new Promise((r) => setTimeout(r, 1000)); // let start-up work settle (yaml-ls keeps working after `initialize`)
    const ms = await open(server, pathToFileURL(join(dir, `${server.name}_${name}.etl.yaml`)).toString(), text);
    return { ms, mb: peakMb(server.client.process.pid) };
  } finally {
    await server.client.stop();
  }
}

export async function run(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-bench-editor-"));
  writeFileSync(join(dir, ".env"), "DATABASE_URL=\n");
  const servers = [await ours(dir), await yamlLs()];
  let figures: Figures;
  try {
    figures = await edits(servers, dir);
  } finally {
    for (const s of servers) await s.client.stop();
  }
  const [small, large] = [SIZES[0] as number, SIZES[SIZES.length - 1] as number];
  const f = (x: number) => x.toFixed(1);
  const rows = Object.entries(figures).map(([kind, by]) => {
    const o = by["ours"] ?? {};
    const y = by["yaml-ls"] ?? {};
    const at = (r: Record<number, { ms: number; cpu: number }>, n: number) => r[n] ?? { ms: NaN, cpu: NaN };
    return [kind, ...SIZES.map((n) => f(at(o, n).ms)), ...SIZES.map((n) => f(at(o, n).cpu)), `${f(at(o, large).cpu / Math.max(at(o, small).cpu, 1))}×`, ...SIZES.map((n) => f(at(y, n).ms)), `${f(at(y, large).ms / at(o, large).ms)}×`];
  });
  console.log(`edit → diagnostics, median of ${ROUNDS * 2} (edit and undo, alternating servers); server CPU is the mean per edit (10 ms ticks)\n`);
  table(["edit", ...SIZES.map((n) => `ours ms @${n}`), ...SIZES.map((n) => `ours CPU ms @${n}`), `CPU growth ${small}→${large} (linear: ${large / small}×)`, ...SIZES.map((n) => `yaml-ls ms @${n}`), `yaml-ls / ours @${large}`], rows);
  const five = generatePipeline(5000);
  const limit = largePipeline(MAX_FILE_BYTES - 4096);
  const steps = (limit.match(/^ {2}- id: /gm) ?? []).length;
  const opens: (string | number)[][] = [];
  for (const [label, name, text] of [["first open, 5,000 steps", "five", five], [`largest file checked (${(limit.length / 1048576).toFixed(1)} MB, ${steps} steps)`, "limit", limit]] as const) {
    const o = await freshOpen(() => ours(dir), dir, name, text);
    const y = await freshOpen(yamlLs, dir, name, text);
    opens.push([label, o.ms.toFixed(0), o.mb, y.ms.toFixed(0), y.mb, `${(y.ms / o.ms).toFixed(1)}×`]);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log("");
  table(["open (fresh server)", "ours → diagnostics ms", "ours peak MB", "yaml-ls ms", "yaml-ls peak MB", "yaml-ls / ours"], opens);
  console.log(`\ngoals (issue 24): every edit ≤ 50 ms at 5,000 steps, growing linearly; first open of 5,000 steps ≤ 500 ms; the largest file ≤ 3 s and ≤ 300 MB`);
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${(loadavg()[0] ?? 0).toFixed(2)} (2 cores; wall times on a shared machine are noisy, CPU figures less so)`);
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
