/**
 * `npm run bench` section `liveCompletion`: completion latency at column positions with live
 * analysis, over stdio against the bundled server. Warm: a 500-step file whose extracts read a
 * loopback HTTP API already in the cache (target ≤ 20 ms median). Cold: an empty cache and an API
 * that takes 2 s to answer (target ≤ 120 ms: the empty answer at once, not the source's time).
 * Run alone: `npx tsx bench/liveCompletion.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { CompletionItem, CompletionList } from "vscode-languageserver-protocol";
import { startApi, type TestApi } from "../test/support/httpServer";
import { LspClient } from "../test/lsp/client";
import { median, table } from "./_util";

const REQUESTS = 25;
const RECORDS = [{ id: 1, name: "ada", score: 2.5, country: "DE", amount: 10 }];

/** `steps` steps: every 5th an HTTP extract (its own query, so its own cache entry), then transforms and a load. */
function livePipeline(steps: number, baseUrl: string, tag: string): string {
  const lines = ["version: 1", "name: live_bench", "connections:", "  api:", "    type: http", `    base_url: ${baseUrl}`, "  out:", "    type: file", "steps:"];
  for (let i = 0; i < steps; i++) {
    lines.push(`  - id: s${i}`);
    const kind = i % 5;
    if (kind === 0) lines.push("    extract:", "      connection: api", "      path: /link", `      query: {tag: ${tag}, n: ${i}}`);
    else if (kind < 4) lines.push(`    depends_on: [s${i - 1}]`, "    transform:", "      - filter: amount > 0", "      - derive: {cents: amount * 100}", "      - select: [id, name, cents, ]");
    else lines.push(`    depends_on: [s${i - 1}]`, "    load: {connection: out, path: out.jsonl}");
  }
  return lines.join("\n") + "\n";
}

/** Positions just inside `select: [id, name, cents, ` of transform steps, spread over the file. */
function selectPositions(text: string, count: number): { line: number; character: number }[] {
  const lines = text.split("\n");
  const all = lines.flatMap((l, line) => (l.includes("- select: [") ? [{ line, character: l.indexOf("]") }] : []));
  const stride = Math.max(1, Math.floor(all.length / count));
  return all.filter((_, i) => i % stride === 0).slice(0, count);
}

const itemsOf = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? []));

async function timed(client: LspClient, uri: string, position: { line: number; character: number }): Promise<{ ms: number; items: number }> {
  const start = performance.now();
  const r = await client.request<CompletionItem[] | CompletionList | null>("textDocument/completion", { textDocument: { uri }, position });
  return { ms: performance.now() - start, items: itemsOf(r).length };
}

async function withServer<T>(fn: (client: LspClient, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-bench-live-"));
  const client = await LspClient.start({ rootUri: pathToFileURL(dir).toString(), env: { ...process.env, XDG_CACHE_HOME: join(dir, "cache") }, initializationOptions: { workspaceTrusted: true } });
  try {
    return await fn(client, dir);
  } finally {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function warm(api: TestApi): Promise<{ times: number[]; items: number }> {
  return withServer(async (client, dir) => {
    const text = livePipeline(500, api.url, "warm");
    const uri = pathToFileURL(join(dir, "warm.etl.yaml")).toString();
    await client.open(uri, text);
    await client.diagnostics(uri, { version: 1, timeoutMs: 60_000 });
    const positions = selectPositions(text, REQUESTS);
    // Warm the cache: ask until every position answers with the API's columns.
    for (const p of positions) for (let tries = 0; (await timed(client, uri, p)).items === 0 && tries < 200; tries++) await new Promise((r) => setTimeout(r, 20));
    const runs: { ms: number; items: number }[] = [];
    for (const p of positions) runs.push(await timed(client, uri, p));
    return { times: runs.map((r) => r.ms), items: Math.min(...runs.map((r) => r.items)) };
  });
}

async function cold(api: TestApi): Promise<{ times: number[]; items: number; first: number }> {
  api.always({ delayMs: 2000 });
  try {
    return await withServer(async (client, dir) => {
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < 11; i++) {
        const text = livePipeline(10, api.url, `cold${i}`);
        const uri = pathToFileURL(join(dir, `cold${i}.etl.yaml`)).toString();
        await client.open(uri, text);
        await client.diagnostics(uri, { version: 1 });
        const [p] = selectPositions(text, 1);
        const r = await timed(client, uri, p as { line: number; character: number });
        times.push(r.ms);
        items += r.items;
      }
      // The first request after start also loads the analyzer modules: reported on its own.
      return { times: times.slice(1), items, first: times[0] ?? 0 };
    });
  } finally {
    api.always(undefined);
  }
}

export async function run(): Promise<void> {
  const api = await startApi(RECORDS);
  try {
    const w = await warm(api);
    const c = await cold(api);
    console.log("liveCompletion — completion at column positions (ms)");
    console.log(`cold: the first request after the server started took ${c.first.toFixed(1)} ms (it also loads the analyzer modules)`);
    table(
      ["case", "requests", "median", "max", "target (median)", "items"],
      [
        ["warm cache, 500 steps", w.times.length, median(w.times).toFixed(1), Math.max(...w.times).toFixed(1), "≤ 20", w.items],
        ["cold cache, source takes 2 s", c.times.length, median(c.times).toFixed(1), Math.max(...c.times).toFixed(1), "≤ 120", c.items],
      ],
    );
  } finally {
    await api.close();
  }
}

if (require.main === module) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
