/**
 * `npm run bench` section `lsp`: our language server against yaml-language-server 1.18 (configured
 * with our schemas/pipeline.schema.json) on the same generated pipelines, over stdio.
 * Prints open→diagnostics and edit→diagnostics medians (15 edits), their ratio, completion latency
 * at 5,000 steps and our server's RSS with the 5,000-step file open. The first open of a server
 * (500 steps) is the median of 5 fresh starts of both servers. Servers are left to settle after
 * starting (yaml-language-server works for a while after answering `initialize`), so neither
 * measurement includes the other's start-up. Our server runs as the extension starts it (with
 * SERVER_NODE_FLAGS); the first open is also measured for a plain `node dist/server.js --stdio`.
 * Run alone: `npx tsx bench/lsp.ts`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SERVER_NODE_FLAGS } from "../server/src/protocol";
import { LspClient, poll, ROOT, SERVER } from "../test/lsp/client";
import { generatePipeline } from "../test/lsp/generate";

const EDITS = 15;
const FIRST_OPEN_ROUNDS = 5;
const SETTLE_MS = 1000;

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
const SIZES = [500, 5000];
const YAML_LS = join(ROOT, "node_modules", "yaml-language-server", "bin", "yaml-language-server");
const SCHEMA = pathToFileURL(resolve(ROOT, "schemas", "pipeline.schema.json")).toString();

interface Timings {
  open: number;
  edits: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A pipeline with a `retries:` line in its middle step, whose value the edits flip (1 is valid, 99 is not). */
function benchText(steps: number): { text: string; line: number; character: number } {
  const base = generatePipeline(steps);
  const anchor = `  - id: step_${Math.floor(steps / 2)}\n`;
  const text = base.replace(anchor, `${anchor}    retries: 1\n`);
  const before = text.slice(0, text.indexOf(anchor) + anchor.length);
  return { text, line: before.split("\n").length - 1, character: "    retries: ".length };
}

async function measure(client: LspClient, uri: string, languageId: string, steps: number, versioned: boolean): Promise<Timings> {
  const { text, line, character } = benchText(steps);
  const wait = (from: number, version: number) => client.diagnostics(uri, { from, timeoutMs: 120_000, ...(versioned ? { version } : {}) });
  let from = client.published.length;
  let start = performance.now();
  await client.open(uri, text, languageId);
  const opened = await wait(from, 1);
  const open = opened.at - start;
  const edits: number[] = [];
  let value = "1";
  for (let i = 0; i < EDITS; i++) {
    const next = i % 2 === 0 ? "99" : "1";
    from = client.published.length;
    start = performance.now();
    const version = await client.edit(uri, { start: { line, character }, end: { line, character: character + value.length } }, next);
    const got = await wait(from, version);
    edits.push(got.at - start);
    if (next === "99" && got.diagnostics.length === 0) throw new Error(`${languageId} server reported nothing for retries: 99 — is the schema configured?`);
    value = next;
  }
  return { open, edits };
}

async function completionLatency(client: LspClient, uri: string, text: string): Promise<number[]> {
  const targets = ["depends_on: [step_2500", "depends_on: [step_4000", "table: public.orders_3000", "connection: lake"];
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const needle = targets[i % targets.length] as string;
    const offset = text.indexOf(needle) + needle.indexOf(": ") + 2;
    const before = text.slice(0, offset);
    const position = { line: before.split("\n").length - 1, character: offset - before.lastIndexOf("\n") - 1 };
    const start = performance.now();
    await client.request("textDocument/completion", { textDocument: { uri }, position });
    times.push(performance.now() - start);
  }
  return times;
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function yamlServer(): Promise<LspClient> {
  const settings = { yaml: { validate: true, completion: true, hover: true, schemas: { [SCHEMA]: ["*.etl.yaml"] }, schemaStore: { enable: false } } };
  const client = await LspClient.start({ command: [process.execPath, YAML_LS, "--stdio"], configuration: (section) => (section === "yaml" ? settings.yaml : section ? null : settings) });
  await client.connection.sendNotification("workspace/didChangeConfiguration", { settings });
  return client;
}

/** Our server as the extension starts it. */
const ourServer = (dir: string) => LspClient.start({ rootUri: pathToFileURL(dir).toString(), command: [process.execPath, ...SERVER_NODE_FLAGS, SERVER, "--stdio"] });

/** Open → diagnostics of a server's first document (500 steps), ours (with and without SERVER_NODE_FLAGS) and yaml-ls', each a fresh start. */
async function firstOpens(dir: string): Promise<{ ours: number[]; plain: number[]; theirs: number[] }> {
  const out = { ours: [] as number[], plain: [] as number[], theirs: [] as number[] };
  const { text } = benchText(500);
  for (let round = 0; round < FIRST_OPEN_ROUNDS; round++) {
    const ours = await ourServer(dir);
    const plain = await LspClient.start({ rootUri: pathToFileURL(dir).toString() });
    const theirs = await yamlServer();
    await settle();
    for (const [client, who, languageId, times] of [[ours, "ours", "etl-pipeline", out.ours], [plain, "plain", "etl-pipeline", out.plain], [theirs, "yamlls", "yaml", out.theirs]] as const) {
      const uri = pathToFileURL(join(dir, `first_${who}_${round}.etl.yaml`)).toString();
      const start = performance.now();
      await client.open(uri, text, languageId);
      times.push((await client.diagnostics(uri, { timeoutMs: 120_000 })).at - start);
    }
    await ours.stop();
    await plain.stop();
    await theirs.stop();
  }
  return out;
}

export async function run(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-bench-lsp-"));
  writeFileSync(join(dir, ".env"), "DATABASE_URL=\n");
  const first = await firstOpens(dir);
  const ours = await ourServer(dir);
  const theirs = await yamlServer();
  await settle();
  const rows: string[][] = [];
  let rss = 0;
  let completion: number[] = [];
  try {
    for (const steps of SIZES) {
      const uri = (who: string) => pathToFileURL(join(dir, `${who}_${steps}.etl.yaml`)).toString();
      const a = await measure(ours, uri("ours"), "etl-pipeline", steps, true);
      const b = await measure(theirs, uri("yamlls"), "yaml", steps, false);
      if (steps === 5000) {
        completion = await completionLatency(ours, uri("ours"), benchText(steps).text);
        await poll(() => (ours.process.pid ? true : undefined), 1000, "server pid");
        rss = rssMb(ours.process.pid);
      }
      await ours.close(uri("ours"));
      await theirs.close(uri("yamlls"));
      const ratio = median(b.edits) / median(a.edits);
      // A server's first open: the median of fresh starts (500 steps); the 5,000-step file is opened second.
      const [ourOpen, theirOpen] = steps === 500 ? [median(first.ours), median(first.theirs)] : [a.open, b.open];
      rows.push([`${steps} steps`, ourOpen.toFixed(0), median(a.edits).toFixed(1), theirOpen.toFixed(0), median(b.edits).toFixed(1), `${ratio.toFixed(1)}×`]);
    }
  } finally {
    await ours.stop();
    await theirs.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("\nlsp — open→diagnostics and edit→diagnostics (median of 15 edits), ms");
  console.table(rows.map(([size, oOpen, oEdit, yOpen, yEdit, ratio]) => ({ pipeline: size, "ours open": oOpen, "ours edit": oEdit, "yaml-ls open": yOpen, "yaml-ls edit": yEdit, "edit speed-up": ratio })));
  console.log(`first open of 500 steps, ${FIRST_OPEN_ROUNDS} fresh starts: ours ${first.ours.map((t) => t.toFixed(0)).join(", ")} ms; yaml-ls ${first.theirs.map((t) => t.toFixed(0)).join(", ")} ms`);
  console.log(`  ours started plainly (\`node dist/server.js --stdio\`, without ${SERVER_NODE_FLAGS.join(" ")}): median ${median(first.plain).toFixed(0)} ms (${first.plain.map((t) => t.toFixed(0)).join(", ")})`);
  console.log(`completion at 5,000 steps: median ${median(completion).toFixed(1)} ms, max ${Math.max(...completion).toFixed(1)} ms (${completion.length} requests)`);
  console.log(`our server's RSS with the 5,000-step file open: ${rss.toFixed(0)} MB`);
  // Wall-clock figures on a shared machine: the load says how far to trust them (2 cores here).
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${(loadavg()[0] ?? 0).toFixed(2)}`);
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
