/**
 * A real VS Code for end-to-end tests: code-server 4.103.2 (VS Code 1.103.2, the first release on npm with
 * the final language-model tool and MCP server definition APIs of VS Code 1.101) from npm, installed
 * once into a cache outside the repo, started on a free loopback port with throwaway user-data and
 * extension folders, and driven in Debian's Chromium with playwright-core (ENVIRONMENT.md). Its package
 * declares Node 22; the recipe and every e2e test work with this machine's Node 20.
 *
 *   node --import tsx test/support/codeServer.ts install    installs (or confirms) the cached copy
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { withInstallLock } from "./installLock";
import { freePort } from "./net";
import { poll } from "./poll";

export { freePort };

export const CODE_SERVER_VERSION = "4.103.2";
export const CACHE_DIR = join(process.env.AGENT_ETL_TEST_CACHE ?? join(homedir(), ".cache", "agent-etl-test"), `code-server-${CODE_SERVER_VERSION}`);
const PACKAGE_DIR = join(CACHE_DIR, "node_modules", "code-server");
const MARKER = join(CACHE_DIR, ".installed");
const LOCK = join(CACHE_DIR + ".lock");
const LOG = join(CACHE_DIR + ".install.log");
const APT_PACKAGES = ["libkrb5-dev", "ripgrep", "chromium"];
const NATIVE_MODULES = ["kerberos", "node-pty", "@parcel/watcher", "@vscode/spdlog", "native-watchdog", "@vscode/deviceid"];
export const CHROMIUM = "/usr/bin/chromium";

function log(line: string): void {
  appendFileSync(LOG, `${new Date().toISOString()} ${line}\n`);
}

/** Runs a command (argument array, no shell), logging its output; throws with the log's tail on failure. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): void {
  log(`$ (${cwd}) ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  log((r.stdout ?? "") + (r.stderr ?? ""));
  if (r.error || r.status !== 0) {
    const tail = `${r.stderr ?? ""}${r.stdout ?? ""}`.split("\n").slice(-25).join("\n");
    throw new Error(`code-server install step failed: ${cmd} ${args.join(" ")} (in ${cwd}, exit ${r.status ?? r.error?.message}).\n${tail}\nFull log: ${LOG}`);
  }
}

function missingAptPackages(): string[] {
  return APT_PACKAGES.filter((p) => spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" }).stdout?.includes("install ok installed") !== true);
}

/** Installs the Debian packages code-server and the browser need (we are root in CI and here). */
export function ensureAptPackages(): void {
  const missing = missingAptPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`Missing Debian packages ${missing.join(", ")}: run \`sudo apt-get install -y ${missing.join(" ")}\`.`);
  run("apt-get", ["update"], "/", { DEBIAN_FRONTEND: "noninteractive" });
  run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], "/", { DEBIAN_FRONTEND: "noninteractive" });
}

function link(target: string, path: string): void {
  rmSync(path, { force: true, recursive: false });
  symlinkSync(target, path);
}

/** The recipe from ENVIRONMENT.md, step by step. */
function installCodeServer(): void {
  rmSync(CACHE_DIR, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(join(CACHE_DIR, "package.json"), JSON.stringify({ name: "agent-etl-code-server-cache", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", `code-server@${CODE_SERVER_VERSION}`], CACHE_DIR);
  run("npm", ["rebuild", "argon2"], CACHE_DIR);
  const vscodeDir = join(PACKAGE_DIR, "lib", "vscode");
  run("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", "--ignore-scripts"], vscodeDir);
  for (const m of NATIVE_MODULES) run("npx", ["node-gyp", "rebuild"], join(vscodeDir, "node_modules", m), { npm_config_yes: "true" });
  const rgDir = join(vscodeDir, "node_modules", "@vscode", "ripgrep", "bin");
  mkdirSync(rgDir, { recursive: true });
  link("/usr/bin/rg", join(rgDir, "rg"));
  link("node_modules", join(vscodeDir, "node_modules.asar"));
  link("code-linux.sh", join(vscodeDir, "bin", "remote-cli", "code-server"));
  link("browser-linux.sh", join(vscodeDir, "bin", "helpers", "browser.sh"));
  run("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", "--ignore-scripts"], join(vscodeDir, "extensions"));
  writeFileSync(MARKER, JSON.stringify({ version: CODE_SERVER_VERSION, installedAt: new Date().toISOString() }));
}


export interface InstallResult {
  /** The code-server launcher script. */
  bin: string;
  cached: boolean;
  seconds: number;
}

/** Makes sure code-server and Chromium are installed; reuses the cache when its marker exists. */
export async function ensureCodeServer(): Promise<InstallResult> {
  const started = Date.now();
  const bin = join(PACKAGE_DIR, "out", "node", "entry.js");
  return withInstallLock(LOCK, "code-server install", 30 * 60_000, () => {
    ensureAptPackages();
    const cached = existsSync(MARKER);
    if (!cached) installCodeServer();
    return { bin, cached, seconds: (Date.now() - started) / 1000 };
  });
}


export { poll };

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own output (stdout+stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function codeServerArgs(userDataDir: string, extensionsDir: string): string[] {
  return ["--user-data-dir", userDataDir, "--extensions-dir", extensionsDir, "--disable-telemetry", "--disable-update-check"];
}

/**
 * Coverage runs only (`node scripts/test.mjs --coverage` sets AGENT_ETL_COVERAGE_ROOT): the installed
 * extension's entry loads client/src from the repo through tsx instead of its bundle, so c8 counts
 * the lines the extension host runs, as it does for the CLI and the language server
 * (test/support/coverageEntry.mjs). Everything else of the installed extension stays as packaged.
 * The extension host is stopped with the rest of code-server's process group by SIGTERM, which
 * would end it before V8 writes its coverage: the entry writes it first.
 */
function runExtensionFromSources(extensionsDir: string): void {
  const root = process.env.AGENT_ETL_COVERAGE_ROOT;
  if (!root) return;
  const dir = readdirSync(extensionsDir).find((d) => d.startsWith("agent-etl.agent-etl-"));
  if (!dir) throw new Error(`the agent-etl extension is not installed in ${extensionsDir}`);
  const at = (...parts: string[]) => JSON.stringify(join(root, ...parts));
  writeFileSync(join(extensionsDir, dir, "dist", "extension.js"), [
    '"use strict";',
    "// Coverage run: client/src from source (see test/support/codeServer.ts).",
    `process.env.TSX_TSCONFIG_PATH = process.env.TSX_TSCONFIG_PATH || ${at("tsconfig.json")};`,
    `require(${JSON.stringify(require.resolve("tsx/cjs/api", { paths: [root] }))}).register();`,
    'process.once("SIGTERM", () => { require("node:v8").takeCoverage(); process.exit(0); });',
    // VS Code hands each extension its own `vscode` API, chosen by the path of the file that requires
    // it; files outside the extension's folder get an API with no contributions (then, e.g., the MCP
    // server definition provider is refused). The sources take the API this stub was given.
    'const vscodeApi = require("vscode");',
    'const Module = require("node:module");',
    "const plainRequire = Module.prototype.require;",
    'Module.prototype.require = function (id) { return id === "vscode" ? vscodeApi : plainRequire.apply(this, arguments); };',
    `module.exports = require(${at("client", "src", "extension.ts")});`,
    "",
  ].join("\n"));
}

/** Installs packaged extensions (`vsix`, then any `alsoInstall`) into throwaway folders and starts code-server on `workspace`. */
export async function startCodeServer(opts: { workspace: string; vsix: string; alsoInstall?: string[]; settings?: Record<string, unknown> }): Promise<CodeServer> {
  const { bin } = await ensureCodeServer();
  const home = mkdtempSync(join(tmpdir(), "agent-etl-cs-"));
  const userDataDir = join(home, "user-data");
  const extensionsDir = join(home, "extensions");
  mkdirSync(join(userDataDir, "User"), { recursive: true });
  writeFileSync(join(userDataDir, "User", "settings.json"), JSON.stringify({
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "update.mode": "none",
    "window.restoreWindows": "none",
    "editor.quickSuggestionsDelay": 10,
    ...opts.settings,
  }, null, 2));
  run(process.execPath, [bin, ...codeServerArgs(userDataDir, extensionsDir), ...[opts.vsix, ...(opts.alsoInstall ?? [])].flatMap((v) => ["--install-extension", v])], home);
  runExtensionFromSources(extensionsDir);
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, [
    bin, "--auth", "none", "--disable-workspace-trust", "--bind-addr", `127.0.0.1:${port}`, ...codeServerArgs(userDataDir, extensionsDir), opts.workspace,
  ], { cwd: opts.workspace, env: { ...process.env, HOME: home, SHELL: "/bin/bash" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(opts.workspace)}`;
  await poll(`code-server to listen on ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    return r?.ok ? true : undefined;
  }, 60_000);
  return {
    url, port, userDataDir, extensionsDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
        await poll("code-server to stop", () => (child.exitCode !== null || child.signalCode !== null ? true : undefined), 10_000).catch(() => {
          if (child.pid) try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
        });
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Opens the workbench in headless Chromium and waits for it. */
export async function openWorkbench(server: CodeServer): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(server.url);
  await page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  return { browser, page };
}

if (process.argv[1]?.endsWith("codeServer.ts") && process.argv[2] === "install") {
  ensureCodeServer().then((r) => {
    console.log(`code-server ${CODE_SERVER_VERSION} ${r.cached ? "cached" : "installed"} in ${r.seconds.toFixed(1)} s: ${r.bin}`);
  }, (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
