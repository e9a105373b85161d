/**
 * Hostile files (issue 17; generators in test/support/hostile.ts): `agent-etl validate` wall time
 * and peak RSS on each, and the language server's first diagnostics, five edits and peak RSS with
 * the file open (each file in a fresh server). Goals: validate within a few seconds, the server
 * under ~500 MB. The same classes are tested for behaviour in test/unit/pipeline/hostile.test.ts
 * and test/lsp/hostile.test.ts.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MAX_FILE_BYTES } from "../server/src/pipeline/limits";
import { SERVER_NODE_FLAGS } from "../server/src/protocol";
import { extractFiles, duplicateIds, largePipeline, manyFileExtracts, misspeltReferences, unknownKeys } from "../test/support/hostile";
import { LspClient, ROOT, SERVER } from "../test/lsp/client";
import { table } from "./_util";

const CLI = join(ROOT, "dist", "cli.js");

function peakMb(pid: number | undefined): number {
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** `node dist/cli.js validate FILE`: seconds and peak RSS (sampled from /proc until it exits). */
async function validate(file: string): Promise<{ s: number; mb: number; last: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, "validate", file], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out = (out + b.toString()).slice(-400)));
  let mb = 0;
  const timer = setInterval(() => (mb = Math.max(mb, peakMb(child.pid))), 20);
  await new Promise((resolve) => child.on("close", resolve));
  clearInterval(timer);
  return { s: (performance.now() - t0) / 1000, mb, last: out.trim().split("\n").pop() ?? "" };
}

/** A fresh server: open, first diagnostics, five edits (each to its diagnostics), peak RSS. */
async function server(dir: string, file: string): Promise<{ openS: number; editS: number; mb: number; diagnostics: number }> {
  const client = await LspClient.start({ command: [process.execPath, ...SERVER_NODE_FLAGS, SERVER, "--stdio"], rootUri: pathToFileURL(dir).toString(), env: { ...process.env, XDG_CACHE_HOME: join(dir, "cache") } });
  try {
    const text = readFileSync(file, "utf8");
    const uri = pathToFileURL(file).toString();
    const t0 = performance.now();
    await client.open(uri, text);
    const first = await client.diagnostics(uri, { version: 1, timeoutMs: 600_000 });
    const openS = (performance.now() - t0) / 1000;
    const lines = text.split("\n").length;
    let editS = 0;
    for (let e = 1; e <= 5; e++) {
      const line = Math.floor((lines * e) / 7);
      const t = performance.now();
      const version = await client.edit(uri, { start: { line, character: 0 }, end: { line, character: 0 } }, "# edited\n");
      await client.diagnostics(uri, { version, timeoutMs: 600_000 });
      editS = Math.max(editS, (performance.now() - t) / 1000);
    }
    // Live analysis (the extracts' files) settles in the background: give it a moment to peak.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return { openS, editS, mb: peakMb(client.process.pid), diagnostics: first.diagnostics.length };
  } finally {
    await client.stop();
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-bench-hostile-"));
  mkdirSync(join(dir, "data"));
  for (const f of extractFiles(5000)) writeFileSync(join(dir, "data", f.name), f.text);
  const cases: [string, string][] = [
    ["20,000 steps, 10,000 misspelt references", misspeltReferences(20000)],
    ["100,000 unknown keys in a step", unknownKeys(100000)],
    ["100,000 unknown top-level keys", unknownKeys(100000, "top")],
    ["20,000 duplicate step ids", duplicateIds(20000)],
    ["5,000 file extracts (live analysis)", manyFileExtracts(5000, "./data")],
    ["valid, just under the size limit", largePipeline(MAX_FILE_BYTES - 4096)],
    ["valid, 50 MB (refused)", largePipeline(50 * 1024 * 1024)],
  ];
  const rows: (string | number)[][] = [];
  try {
    for (const [name, text] of cases) {
      const file = join(dir, `case${rows.length}.etl.yaml`);
      writeFileSync(file, text);
      const v = await validate(file);
      const s = await server(dir, file);
      rows.push([name, (text.length / 1048576).toFixed(1), v.s.toFixed(2), v.mb, v.last.replace(/ in 1 file$/, ""), s.openS.toFixed(2), s.editS.toFixed(2), s.mb, s.diagnostics]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(["file", "MB", "validate s", "validate peak MB", "validate summary", "server: first diagnostics s", "slowest of 5 edits s", "server peak MB", "diagnostics shown"], rows);
  const worstValidate = Math.max(...rows.map((r) => Number(r[2])));
  const worstServer = Math.max(...rows.map((r) => Number(r[7])));
  console.log(`\nslowest validate ${worstValidate.toFixed(2)} s (goal: a few seconds); largest server peak ${worstServer} MB (goal ≤ ~500 MB)`);
}
