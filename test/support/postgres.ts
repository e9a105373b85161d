/**
 * A throwaway PostgreSQL cluster for tests: `initdb` once into a cached template
 * (~/.cache/agent-etl-test/), copied per run into a temp folder and started with `pg_ctl` on a free
 * port (as the `postgres` OS user when we are root: PostgreSQL refuses to run as root). With
 * `PG_TEST_URL` set, that server is used instead. Missing binaries are installed with apt-get.
 *
 * The superuser gets a password made at start time, so tests can prove it never leaks.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./net";

export interface TestPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`. */
  url: string;
  password: string;
  port: number;
  /** The folder of the server's unix socket (trust auth), when the harness started the server. */
  socketDir?: string;
  /** A URL for another database on the same server (created by `createDatabase`). */
  urlFor(database: string): string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL as the superuser in a database (default `postgres`) and returns the rows. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** Restarts the server (fast shutdown: sessions are terminated), same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const CACHE = join(homedir(), ".cache", "agent-etl-test");
const running = new Set<() => void>();
process.on("exit", () => {
  for (const stop of running) stop();
});
// A test runner that times a file out sends SIGTERM: stop the clusters on the way out too.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const stop of running) stop();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

function pgBinDir(): string {
  const fromPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  const candidates = ["/usr/lib/postgresql"]
    .filter(existsSync)
    .flatMap((d) => readdirSync(d).sort((a, b) => Number(b) - Number(a)).map((v) => join(d, v, "bin")));
  const found = candidates.find((d) => existsSync(join(d, "initdb")));
  if (found) return found;
  if (fromPath && existsSync(join(fromPath, "..", "initdb"))) return join(fromPath, "..");
  return "";
}

function ensureBinaries(): string {
  let dir = pgBinDir();
  if (dir) return dir;
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update"], { stdio: "inherit", env });
    spawnSync("apt-get", ["install", "-y", "postgresql"], { stdio: "inherit", env });
    dir = pgBinDir();
    if (dir) return dir;
  }
  throw new Error(
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (`apt-get install -y postgresql`) " +
      "or point the tests at a server with PG_TEST_URL=postgres://user:password@host:port/db.",
  );
}

/** A PostgreSQL client program of the harness's server binaries (`pg_dump`, `psql`). */
export function pgClientTool(name: "pg_dump" | "psql"): string {
  return join(ensureBinaries(), name);
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
function pgExec(bin: string, args: string[]): string {
  const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  try {
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err: unknown) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${bin} ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`, { cause: err });
  }
}

function chownToPostgres(path: string): void {
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", path]);
}

/** initdb once per PostgreSQL version; later runs copy the template (much faster than initdb). */
function templateDir(bin: string): string {
  const version = /\d+(\.\d+)*/.exec(pgExec(join(bin, "pg_ctl"), ["--version"]))?.[0] ?? "unknown";
  const dir = join(CACHE, `pg-template-${version}`);
  if (existsSync(join(dir, "PG_VERSION"))) return dir;
  mkdirSync(CACHE, { recursive: true });
  // initdb runs as `postgres`, who cannot enter root's home: build in /tmp, then copy into the cache.
  const work = mkdtempSync(join(tmpdir(), "agent-etl-initdb-"));
  chownToPostgres(work);
  pgExec(join(bin, "initdb"), ["-D", join(work, "data"), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  const staged = mkdtempSync(join(CACHE, "pg-template-tmp-"));
  cpSync(join(work, "data"), join(staged, "data"), { recursive: true });
  rmSync(work, { recursive: true, force: true });
  try {
    renameSync(join(staged, "data"), dir);
  } catch {
    // another process won the race; its template is as good as ours
  }
  rmSync(staged, { recursive: true, force: true });
  return dir;
}


function clusterUrl(password: string, port: number, database = "postgres"): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function sqlRun<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A self-signed certificate for `ssl: true` servers (made per cluster; nothing to verify against). */
function makeCertificate(dir: string): string {
  const key = join(dir, "server.key");
  const crt = join(dir, "server.crt");
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "2", "-keyout", key, "-out", crt], { stdio: "ignore" });
  } catch (err: unknown) {
    throw new Error("making a TLS certificate for the test PostgreSQL needs openssl (`apt-get install -y openssl`)", { cause: err });
  }
  chmodSync(key, 0o600);
  return ` -c ssl=on -c ssl_cert_file=${crt} -c ssl_key_file=${key}`;
}

export interface StartOptions {
  /** Serve TLS too (self-signed certificate). Ignored with PG_TEST_URL. */
  ssl?: boolean;
}

/** Starts a fresh PostgreSQL (or uses PG_TEST_URL). Call `stop()` in `after()`. */
export async function startPostgres(startOptions: StartOptions = {}): Promise<TestPostgres> {
  const external = process.env.PG_TEST_URL;
  if (external) return externalServer(external);
  const bin = ensureBinaries();
  const template = templateDir(bin);
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-pg-"));
  const data = join(dir, "data");
  cpSync(template, data, { recursive: true });
  const tls = startOptions.ssl ? makeCertificate(dir) : "";
  chownToPostgres(dir);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50${tls}`;
  const log = join(dir, "server.log");
  const ctl = (args: string[]) => pgExec(join(bin, "pg_ctl"), ["-D", data, "-w", "-t", "60", ...args]);
  ctl(["-o", options, "-l", log, "start"]);
  const stopSync = () => {
    try {
      ctl(["-m", "immediate", "stop"]);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stopSync);
  const password = `pw-${randomBytes(9).toString("base64url")}`;
  // Local socket auth is trust; TCP needs the password.
  const psql = join(bin, "psql");
  pgExec(psql, ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", `ALTER ROLE postgres PASSWORD '${password}'`]);
  const url = clusterUrl(password, port);
  return {
    url,
    password,
    port,
    socketDir: dir,
    urlFor: (database) => clusterUrl(password, port, database),
    createDatabase: async (name) => {
      await sqlRun(url, `CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return clusterUrl(password, port, name);
    },
    query: (sql, params, database) => sqlRun(clusterUrl(password, port, database), sql, params),
    restart: async () => {
      ctl(["-o", options, "-l", log, "-m", "fast", "restart"]);
    },
    stop: async () => {
      running.delete(stopSync);
      stopSync();
    },
  };
}

function externalServer(url: string): TestPostgres {
  const parsed = new URL(url);
  const withDb = (database: string) => {
    const u = new URL(url);
    u.pathname = `/${database}`;
    return u.toString();
  };
  return {
    url,
    password: decodeURIComponent(parsed.password),
    port: Number(parsed.port || 5432),
    urlFor: withDb,
    createDatabase: async (name) => {
      await sqlRun(url, `DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}"`);
      await sqlRun(url, `CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return withDb(name);
    },
    query: (sql, params, database) => sqlRun(database ? withDb(database) : url, sql, params),
    restart: async () => {
      throw new Error("restart() needs the throwaway cluster; unset PG_TEST_URL to run this test");
    },
    stop: async () => undefined,
  };
}
