/** Running the built CLI (dist/cli.js) in temporary project folders, with argument arrays only. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before } from "node:test";
import { isEventName, stampedSchema } from "../../../server/src/runner/eventSchema";
import { startPostgres, type TestPostgres } from "../../support/postgres";

export const ROOT = join(__dirname, "..", "..", "..");
export const CLI = join(ROOT, "dist", "cli.js");

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (node scripts/test.mjs does it)`);

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, LOG_FORMAT: "json", ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A temporary project folder; `write` creates files (and folders) in it. */
export function project(prefix: string): { dir: string; write: (path: string, text: string) => string; read: (path: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `etl-${prefix}-`));
  return {
    dir,
    write(path, text) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
    read: (path) => readFileSync(join(dir, path), "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface PostgresProject {
  p: ReturnType<typeof project>;
  /** The server and database URL, set by the file's `before`. */
  server: TestPostgres;
  url: string;
}

/** A project folder and database `db` on a real PostgreSQL for a test file: started before its tests, stopped (and the folder removed) after. */
export function postgresProject(prefix: string, db: string): PostgresProject {
  const ctx = { p: project(prefix), url: "" } as PostgresProject;
  before(async () => {
    ctx.server = await startPostgres();
    ctx.url = await ctx.server.createDatabase(db);
  });
  after(async () => {
    await ctx.server?.stop();
    ctx.p.cleanup();
  });
  return ctx;
}

export interface Event {
  event: string;
  step?: string;
  [key: string]: unknown;
}

/** The events file's lines; each must match the `--events` contract exactly (eventSchema.ts), or the test fails. */
export function readEvents(path: string): Event[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const event = JSON.parse(l) as Event;
      if (!isEventName(event.event)) throw new Error(`${path}: an event the contract does not define: ${l}`);
      const checked = stampedSchema(event.event).safeParse(event);
      if (!checked.success) throw new Error(`${path}: an event that breaks the contract (${checked.error.message}): ${l}`);
      return event;
    });
}

/** Polls `check` every 5 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
