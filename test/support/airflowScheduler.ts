/**
 * Airflow as it runs in production, for tests: a scheduler with the LocalExecutor (each task its
 * own process) whose metadata database is a fresh database in the harness's PostgreSQL, plus, on
 * Airflow 3, the DAG processor and the API server's execution API that task processes report to.
 * Everything runs under a temp AIRFLOW_HOME, is tuned to notice work within a second or two, and is
 * stopped by `stop()` (and on exit). Starting Airflow's Python is slow (tens of seconds on a busy
 * machine), so the metadata database is restored from a dump of a migrated one cached beside the
 * venv, and the processes start together while the test goes on (`ready()` waits for them).
 *
 * Airflow talks to PostgreSQL through psycopg2, which Airflow's own requirements leave out: it is
 * installed from PyPI (pinned in airflow-postgres-driver.txt) into a cache folder beside the
 * Airflow venv and put on PYTHONPATH, so the shared venv and its pins stay as they are.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { exec, type Airflow } from "./airflow";
import { withInstallLock } from "./installLock";
import { freePort } from "./net";
import { poll } from "./poll";
import { pgClientTool, type TestPostgres } from "./postgres";

const CACHE = join(homedir(), ".cache", "agent-etl-test");
const DRIVER_REQUIREMENTS = join(__dirname, "airflow-postgres-driver.txt");

const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started) killGroup(child, "SIGKILL");
});

/** The folder holding psycopg2 for `airflow`'s Python (installed on first use). */
export async function ensurePostgresDriver(airflow: Airflow): Promise<string> {
  const dir = join(CACHE, `airflow-${airflow.version}-postgres-driver`);
  const stamp = createHash("sha256").update(readFileSync(DRIVER_REQUIREMENTS)).update(airflow.python).digest("hex");
  const current = () => existsSync(join(dir, "installed")) && readFileSync(join(dir, "installed"), "utf8") === stamp;
  if (current()) return join(dir, "site");
  return withInstallLock(`${dir}.lock`, "Airflow PostgreSQL driver install", 10 * 60_000, async () => {
    if (current()) return join(dir, "site");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const uv = join(dirname(airflow.python), "uv");
    const r = await exec(uv, ["pip", "install", "-p", airflow.python, "--no-deps", "--target", join(dir, "site"), "-r", DRIVER_REQUIREMENTS], { timeoutMs: 10 * 60_000 });
    if (r.code !== 0) throw new Error(`could not install psycopg2 (${DRIVER_REQUIREMENTS}) for Airflow ${airflow.version} into ${dir}; the tests need PyPI:\n${(r.stderr || r.stdout).slice(-3000)}`);
    writeFileSync(join(dir, "installed"), stamp);
    return join(dir, "site");
  });
}

export interface AirflowScheduler {
  /** The metadata database's name in the harness's PostgreSQL. */
  metadataDatabase: string;
  /** Resolves when every process is up (on Airflow 3: the execution API answers). */
  ready(): Promise<void>;
  /** `airflow backfill create` (Airflow 3) once the DAG processor has stored the DAG; resolves when it is created. */
  backfill(dagId: string, args: readonly string[]): Promise<void>;
  /** What the processes wrote, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  airflow: Airflow;
  pg: TestPostgres;
  /** Writes the DAG files into the DAG folder before the processes start (they parse them at once). */
  dags(folder: string): Promise<void>;
  /** More environment for the scheduler and the task processes it starts (the pipeline's settings). */
  taskEnv?: NodeJS.ProcessEnv;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  started.delete(child);
}

function schedulerEnv(airflow: Airflow, home: string, dags: string, databaseUrl: string, driver: string, apiPort: number, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl);
  url.protocol = "postgresql+psycopg2:";
  return {
    ...process.env,
    ...extra,
    PYTHONPATH: [driver, process.env.PYTHONPATH].filter(Boolean).join(":"),
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: dags,
    AIRFLOW__CORE__LOAD_EXAMPLES: "False",
    AIRFLOW__CORE__EXECUTOR: "LocalExecutor",
    AIRFLOW__CORE__PARALLELISM: "4",
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: "False",
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: url.toString(),
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: join(home, "logs"),
    // Only the runs a test asks for (backfills): no run of the latest interval on the DAG's schedule.
    AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE: "False",
    AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC: "1",
    AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC: "1",
    AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME: "0.5",
    // The DAG files are in place when the processes start: parsed once at start-up, not again
    // (each parse is a Python process, and the machine is small).
    AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL: "600",
    AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL: "600",
    AIRFLOW__SCHEDULER__PARSING_PROCESSES: "1",
    AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: "600",
    AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL: "600",
    AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: "1",
    ...(airflow.version.startsWith("3.")
      ? {
          AIRFLOW__API__HOST: "127.0.0.1",
          AIRFLOW__API__PORT: String(apiPort),
          AIRFLOW__API__WORKERS: "1",
          AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `http://127.0.0.1:${apiPort}/execution/`,
          // Task processes authenticate to the execution API with JWTs the scheduler signs.
          AIRFLOW__API_AUTH__JWT_SECRET: randomBytes(24).toString("base64url"),
        }
      : {}),
  };
}

/**
 * Fills the empty metadata database `database`: from the cached dump of a migrated one when there
 * is one for this Airflow and this pg_dump, else by `airflow db migrate` (then dumped for next time).
 */
async function migrateMetadata(airflow: Airflow, pg: TestPostgres, database: string, env: NodeJS.ProcessEnv): Promise<void> {
  const pgDump = pgClientTool("pg_dump");
  const dumpVersion = (await exec(pgDump, ["--version"])).stdout.trim();
  const stamp = createHash("sha256").update(readFileSync(DRIVER_REQUIREMENTS)).update(dumpVersion).digest("hex").slice(0, 16);
  const dump = join(CACHE, `airflow-${airflow.version}`, `pg-metadata-${stamp}.sql`);
  const url = new URL(pg.urlFor(database));
  const pgEnv = { ...process.env, PGHOST: url.hostname, PGPORT: url.port, PGUSER: decodeURIComponent(url.username), PGPASSWORD: pg.password, PGDATABASE: database };
  if (!existsSync(dump)) {
    await withInstallLock(`${dump}.lock`, "Airflow metadata database dump", 10 * 60_000, async () => {
      if (existsSync(dump)) return;
      const migrate = await exec(airflow.airflow, ["db", "migrate"], { env, timeoutMs: 10 * 60_000 });
      if (migrate.code !== 0) throw new Error(`airflow db migrate on PostgreSQL failed (exit ${migrate.code}):\n${(migrate.stderr + migrate.stdout).slice(-4000)}`);
      const dumped = await exec(pgDump, ["--no-owner", "--no-privileges", "-f", `${dump}.tmp`], { env: pgEnv });
      if (dumped.code !== 0) throw new Error(`pg_dump of the migrated metadata database failed:\n${dumped.stderr}`);
      renameSync(`${dump}.tmp`, dump);
    });
    return;
  }
  const restored = await exec(pgClientTool("psql"), ["-q", "-v", "ON_ERROR_STOP=1", "-f", dump], { env: pgEnv });
  if (restored.code !== 0) throw new Error(`restoring the metadata database from ${dump} failed (delete it to migrate afresh):\n${restored.stderr.slice(-3000)}`);
}

/** The metadata database and the scheduler (with, on Airflow 3, its DAG processor and the execution API) on it. */
export async function startScheduler(opts: SchedulerOptions): Promise<AirflowScheduler> {
  const { airflow, pg } = opts;
  const v3 = airflow.version.startsWith("3.");
  const driver = await ensurePostgresDriver(opts.airflow);
  const home = mkdtempSync(join(tmpdir(), "agent-etl-airflow-scheduler-"));
  const dags = join(home, "dags");
  mkdirSync(dags);
  const metadataDatabase = `airflow_meta_${randomBytes(4).toString("hex")}`;
  const env = schedulerEnv(airflow, home, dags, await pg.createDatabase(metadataDatabase), driver, await freePort(), opts.taskEnv ?? {});
  const children: ChildProcess[] = [];
  const logFiles: string[] = [];
  const logs = () => logFiles.map((f) => `--- ${f}\n${existsSync(f) ? readFileSync(f, "utf8").slice(-6000) : "(none)"}`).join("\n");
  const stop = async () => {
    await Promise.all(children.map(stopProcess));
    rmSync(home, { recursive: true, force: true });
  };
  const failed = (err: unknown) => new Error(`${err instanceof Error ? err.message : String(err)}\n${logs()}`, { cause: err });
  const spawnLogged = (label: string, cmd: string, args: string[]) => {
    const log = join(home, `${label}.log`);
    const fd = openSync(log, "a");
    // Its own process group, so stopping it also stops the processes it started.
    const child = spawn(cmd, args, { env, detached: true, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    started.add(child);
    children.push(child);
    logFiles.push(log);
    return child;
  };
  try {
    await Promise.all([migrateMetadata(airflow, pg, metadataDatabase, env), opts.dags(dags)]);
    const commands = v3 ? [["dag-processor"], ["scheduler"], ["api-server", "--apps", "execution"]] : [["scheduler"]];
    for (const args of commands) spawnLogged(args[0] as string, airflow.airflow, args);
  } catch (err: unknown) {
    const error = failed(err);
    await stop();
    throw error;
  }
  const exitedEarly = () => children.find((c) => c.exitCode !== null);
  const ready = async () => {
    if (!v3) return;
    const health = `${String(env.AIRFLOW__CORE__EXECUTION_API_SERVER_URL)}health`;
    await poll("the execution API to answer", async () => {
      const dead = exitedEarly();
      if (dead) throw new Error(`airflow ${dead.spawnargs.slice(1).join(" ")} exited with ${dead.exitCode}`);
      return (await fetch(health).catch(() => undefined))?.ok ? true : undefined;
    }, 180_000, 500).catch((err: unknown) => {
      throw failed(err);
    });
  };
  const backfill = async (dagId: string, args: readonly string[]) => {
    if (!v3) throw new Error("backfill(): Airflow 2 runs `airflow dags backfill` itself, without the scheduler");
    const child = spawnLogged(`backfill-${children.length}`, airflow.python, [join(__dirname, "airflowBackfill.py"), dagId, "180", ...args]);
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    if (code !== 0) throw failed(new Error(`airflow backfill create --dag-id ${dagId} ${args.join(" ")} failed (exit ${code})`));
  };
  return { metadataDatabase, ready, backfill, logs, stop };
}
