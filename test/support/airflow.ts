/**
 * Real Apache Airflow for tests: a Python virtualenv per Airflow version under
 * ~/.cache/agent-etl-test/airflow-<version>/, installed from PyPI with the pins in
 * test/support/airflow-requirements-<version>.txt (Airflow's constraints file lives on GitHub,
 * which these machines cannot reach) and reused while the pins stay the same. Never skipped: a
 * missing Airflow is installed, and an impossible install fails with what to do about it.
 *
 * Each test gets its own AIRFLOW_HOME (a temp folder with a SQLite metadata database copied from a
 * migrated template that is cached beside the venv, since `airflow db migrate` is slow).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { withInstallLock } from "./installLock";

/** Versions the tests use: the 3.x line first, then 2.10 (the last 2.x minor many installations run). */
export const AIRFLOW_VERSIONS = ["3.3.2", "2.10.5"] as const;
export type AirflowVersion = (typeof AIRFLOW_VERSIONS)[number];

const CACHE = join(homedir(), ".cache", "agent-etl-test");
const UV_PIN = "uv==0.9.5";
const INSTALL_TIMEOUT_MS = 15 * 60_000;

export interface Airflow {
  version: AirflowVersion;
  /** The venv's python and airflow executables. */
  python: string;
  airflow: string;
  /** Seconds the install took (0 when the cache was used). */
  installSeconds: number;
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, capturing its output (never through a shell). */
export function exec(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 10 * 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

function requirementsFile(version: AirflowVersion): string {
  return join(__dirname, `airflow-requirements-${version}.txt`);
}

function pythonCommand(): string {
  return process.env.AIRFLOW_TEST_PYTHON ?? "python3";
}

async function step(what: string, cmd: string, args: string[], log: string[]): Promise<void> {
  const r = await exec(cmd, args, { timeoutMs: INSTALL_TIMEOUT_MS });
  log.push(`$ ${cmd} ${args.join(" ")}\n${r.stdout}${r.stderr}`);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${(r.stderr || r.stdout).slice(-3000)}`);
}

async function createVenv(venv: string, log: string[]): Promise<void> {
  const python = pythonCommand();
  const first = await exec(python, ["-m", "venv", venv]);
  if (first.code === 0) return;
  if (process.getuid?.() === 0) {
    // Debian's python3 needs python3-venv for `-m venv`.
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    await exec("apt-get", ["update"], { env, timeoutMs: INSTALL_TIMEOUT_MS });
    await exec("apt-get", ["install", "-y", "python3", "python3-venv"], { env, timeoutMs: INSTALL_TIMEOUT_MS });
  }
  rmSync(venv, { recursive: true, force: true });
  await step(`${python} -m venv (install Python 3.10–3.12 with venv support, e.g. apt-get install python3-venv, or set AIRFLOW_TEST_PYTHON)`, python, ["-m", "venv", venv], log);
}

async function install(dir: string, version: AirflowVersion, stamp: string): Promise<void> {
  const venv = join(dir, "venv");
  const log: string[] = [];
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    await createVenv(venv, log);
    const py = join(venv, "bin", "python");
    await step(`pip install ${UV_PIN} (PyPI must be reachable)`, py, ["-m", "pip", "install", "--disable-pip-version-check", "-q", UV_PIN], log);
    await step(`installing apache-airflow ${version} from ${requirementsFile(version)}`, join(venv, "bin", "uv"), ["pip", "install", "-p", py, "--no-deps", "-r", requirementsFile(version)], log);
    const check = await exec(py, ["-c", "import airflow; print(airflow.__version__)"], { env: { ...process.env, AIRFLOW_HOME: join(dir, "home") } });
    if (check.stdout.trim() !== version) throw new Error(`the venv holds Airflow ${check.stdout.trim() || "(none)"}, expected ${version}:\n${check.stderr.slice(-2000)}`);
    writeFileSync(join(dir, "installed"), stamp);
  } finally {
    writeFileSync(join(dir, "install.log"), log.join("\n"));
  }
}

/** The venv for `version`, installing it first when missing or when the pins changed. */
export async function ensureAirflow(version: AirflowVersion): Promise<Airflow> {
  const dir = join(CACHE, `airflow-${version}`);
  const stamp = createHash("sha256").update(readFileSync(requirementsFile(version))).update(pythonCommand()).digest("hex");
  const result = (seconds: number): Airflow => ({ version, python: join(dir, "venv", "bin", "python"), airflow: join(dir, "venv", "bin", "airflow"), installSeconds: seconds });
  const current = () => existsSync(join(dir, "installed")) && readFileSync(join(dir, "installed"), "utf8") === stamp;
  if (current()) return result(0);
  mkdirSync(CACHE, { recursive: true });
  return withInstallLock(`${dir}.lock`, "Airflow install", INSTALL_TIMEOUT_MS, async () => {
    if (current()) return result(0);
    const started = Date.now();
    try {
      await install(dir, version, stamp);
    } catch (err: unknown) {
      throw new Error(`could not install Apache Airflow ${version} into ${dir}: ${err instanceof Error ? err.message : String(err)}\nSee ${join(dir, "install.log")}; the tests need PyPI and Python 3.10–3.12.`, { cause: err });
    }
    return result((Date.now() - started) / 1000);
  });
}

export interface AirflowHome {
  home: string;
  dags: string;
  /** Environment for airflow commands: this home, SQLite, no examples. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

function airflowEnv(home: string, dags: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: dags,
    AIRFLOW__CORE__LOAD_EXAMPLES: "False",
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${join(home, "airflow.db")}`,
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: join(home, "logs"),
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: "False",
    ...extra,
  };
}

/**
 * A fresh AIRFLOW_HOME with a migrated SQLite database (copied from a cached template, made with
 * `airflow db migrate` the first time) and an empty `dags` folder.
 */
export async function airflowHome(airflow: Airflow): Promise<AirflowHome> {
  const template = join(CACHE, `airflow-${airflow.version}`, "db-template");
  const home = mkdtempSync(join(tmpdir(), "agent-etl-airflow-"));
  const dags = join(home, "dags");
  mkdirSync(dags);
  if (!existsSync(join(template, "airflow.db"))) {
    await withInstallLock(`${template}.lock`, "Airflow database template", INSTALL_TIMEOUT_MS, async () => {
      if (existsSync(join(template, "airflow.db"))) return;
      rmSync(template, { recursive: true, force: true });
      mkdirSync(join(template, "dags"), { recursive: true });
      const r = await exec(airflow.airflow, ["db", "migrate"], { env: airflowEnv(template, join(template, "dags")), timeoutMs: 10 * 60_000 });
      if (r.code !== 0) throw new Error(`airflow db migrate failed (exit ${r.code}):\n${(r.stderr + r.stdout).slice(-3000)}`);
    });
  }
  cpSync(join(template, "airflow.db"), join(home, "airflow.db"));
  return { home, dags, env: airflowEnv(home, dags), cleanup: () => rmSync(home, { recursive: true, force: true }) };
}
