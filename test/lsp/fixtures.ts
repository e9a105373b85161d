/** Shared setup for the LSP tests: the bundled server, a workspace folder, texts and positions. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, SERVER } from "./client";

/** Builds dist/server.js when it is missing (scripts/test.mjs builds before every run). */
export function ensureBuilt(): void {
  if (existsSync(SERVER)) return;
  const r = spawnSync(process.execPath, ["esbuild.mjs"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build failed; the LSP tests need dist/server.js");
}

export interface Workspace {
  dir: string;
  uri: string;
  fileUri(name: string): string;
}

/** A temporary workspace with a `.env` (names only matter) and a data folder. */
export function makeWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-lsp-"));
  writeFileSync(join(dir, ".env"), "FROM_DOTENV=1\nexport ALSO_DOTENV=2\nDATABASE_URL=\n");
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "orders.csv"), "id,amount,status\n1,2,paid\n");
  return { dir, uri: pathToFileURL(dir).toString(), fileUri: (name) => pathToFileURL(join(dir, name)).toString() };
}

export function yaml(...lines: string[]): string {
  return lines.join("\n") + "\n";
}

/** 0-based position of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
export function pos(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} not found`);
  }
  const offset = at + delta;
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

export const PIPELINE = yaml(
  "version: 1",
  "name: orders_daily",
  "params:",
  "  region: eu",
  "connections:",
  "  raw:",
  "    type: file",
  "    root: ./data",
  "  out:",
  "    type: file",
  "  db:",
  "    type: postgres",
  "    url: ${env:FROM_DOTENV}",
  "  lake:",
  "    type: s3",
  "    bucket: b",
  "steps:",
  "  - id: orders",
  "    extract:",
  "      connection: raw",
  "      path: orders.csv",
  "  - id: paid",
  "    depends_on: [orders]",
  "    transform:",
  "      - filter: status = 'paid'",
  "      - select: [id, amount]",
  "  - id: save",
  "    depends_on: [paid]",
  "    load:",
  "      connection: out",
  "      path: paid.jsonl",
  "  - id: archive",
  "    depends_on: [paid]",
  "    load:",
  "      connection: lake",
  "      key: paid/{{ ds }}.csv",
  "  - id: report",
  "    depends_on: [save]",
  "    sql:",
  "      connection: db",
  "      query: select 1",
);
