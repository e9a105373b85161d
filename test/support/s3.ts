/**
 * A real S3-compatible server for tests: MinIO, built once with `go install` from the Go module
 * proxy into ~/.cache/agent-etl-test/minio-<version>/ (a few minutes the first time, reused
 * after), started per test file on a free loopback port with a temp data folder (in /dev/shm when
 * available) and credentials made at start time (so tests can prove the secret never leaks). With `S3_TEST_ENDPOINT` set
 * (plus `S3_TEST_ACCESS_KEY_ID`, `S3_TEST_SECRET_ACCESS_KEY`, optional `S3_TEST_REGION`), that
 * server is used instead. Nothing is skipped: without Go ≥ 1.21 the error says how to get it.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { pidAlive } from "./installLock";
import { freePort } from "./net";
import { poll } from "./poll";

/** MinIO as published on the Go module proxy (`go list -m -versions github.com/minio/minio`). */
export const MINIO_MODULE = "github.com/minio/minio";
export const MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c";

export interface TestS3 {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** `minio` or `external` (S3_TEST_ENDPOINT). */
  kind: "minio" | "external";
  /** An SDK client for the test's own setup and checks (path-style). */
  client: S3Client;
  /** Creates a bucket with a unique name starting with `prefix` and returns its name. */
  createBucket(prefix: string): Promise<string>;
  /** A pipeline `s3` connection for a bucket, credentials included. */
  connection(bucket: string, extra?: Record<string, unknown>): { type: "s3"; bucket: string; region: string; endpoint: string; force_path_style: true; access_key_id: string; secret_access_key: string };
  stop(): Promise<void>;
}

const CACHE = join(homedir(), ".cache", "agent-etl-test");
const running = new Set<() => void>();
const stopAll = () => {
  for (const stop of running) stop();
  running.clear();
};
process.on("exit", stopAll);
// Killed by the test runner (timeout, Ctrl-C): take the servers down, then die of the same signal.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopAll();
    process.kill(process.pid, signal);
  });
}

/** A Go ≥ 1.21: it fetches the newer toolchain MinIO's go.mod asks for from the module proxy itself. */
function goBinary(): string {
  const found = spawnSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).stdout.trim();
  for (const candidate of [process.env.GO, "/usr/local/go/bin/go", found]) {
    if (!candidate || !existsSync(candidate)) continue;
    const version = /go1\.(\d+)/.exec(spawnSync(candidate, ["version"], { encoding: "utf8" }).stdout ?? "");
    if (version && Number(version[1]) >= 21) return candidate;
  }
  throw new Error(
    "MinIO for the S3 tests is built with `go install`, which needs Go ≥ 1.21 (found none; Debian 12's golang-go is 1.19). " +
      "Install Go ≥ 1.21 into /usr/local/go or on PATH (or set GO=/path/to/go), or point the tests at a running " +
      "S3-compatible server: S3_TEST_ENDPOINT=http://host:port S3_TEST_ACCESS_KEY_ID=… S3_TEST_SECRET_ACCESS_KEY=…",
  );
}


/** Waits while another test process builds MinIO (a lock folder holding its pid). */
function waitForOtherBuild(lock: string, binary: string): void {
  const deadline = Date.now() + 30 * 60_000;
  while (Date.now() < deadline && !existsSync(binary)) {
    let pid = 0;
    try {
      pid = Number(readFileSync(join(lock, "pid"), "utf8") || "0");
    } catch (err: unknown) {
      if (!existsSync(lock)) return; // the other build finished or gave up: look again
      if ((err as { code?: string }).code !== "ENOENT") throw err;
    }
    if (pid && !pidAlive(pid)) {
      rmSync(lock, { recursive: true, force: true });
      return;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000); // synchronous poll, 1 s
  }
}

/** The cached MinIO binary, built on first use. */
export function ensureMinio(): string {
  const dir = join(CACHE, `minio-${MINIO_VERSION}`);
  const binary = join(dir, "minio");
  mkdirSync(CACHE, { recursive: true });
  for (let attempt = 0; attempt < 3 && !existsSync(binary); attempt++) {
    const lock = `${dir}.lock`;
    try {
      mkdirSync(lock);
    } catch (err: unknown) {
      if ((err as { code?: string }).code !== "EEXIST") throw err;
      waitForOtherBuild(lock, binary);
      continue;
    }
    try {
      writeFileSync(join(lock, "pid"), String(process.pid));
      buildMinio(dir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  if (!existsSync(binary)) throw new Error(`MinIO was not built into ${dir}; see the messages above`);
  return binary;
}

function buildMinio(dir: string): void {
  const go = goBinary();
  const work = mkdtempSync(join(CACHE, "minio-build-"));
  process.stderr.write(`building MinIO ${MINIO_VERSION} with go install (first run only; a few minutes) …\n`);
  try {
    execFileSync(go, ["install", `${MINIO_MODULE}@${MINIO_VERSION}`], {
      env: { ...process.env, GOBIN: work, GOFLAGS: "-buildvcs=false", GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "auto" },
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    renameSync(work, dir);
  } catch (err: unknown) {
    rmSync(work, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `go install ${MINIO_MODULE}@${MINIO_VERSION} failed: ${e.stderr?.toString().slice(-4000) || e.message}\n` +
        "The Go module proxy must be reachable (GOPROXY). Or run the tests against another S3-compatible server with S3_TEST_ENDPOINT.",
      { cause: err },
    );
  }
}

/** RAM-backed /dev/shm when there is one (MinIO syncs every write: ~2.5× faster there), else the temp folder. */
function dataRoot(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}


/** Polls MinIO's liveness endpoint until it answers 200, the process dies, or the time is up. */
async function waitReady(endpoint: string, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`MinIO exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`);
    try {
      const res = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
  throw new Error(`MinIO did not become ready at ${endpoint} within ${timeoutMs / 1000}s:\n${log()}`);
}

function makeClient(endpoint: string, region: string, accessKeyId: string, secretAccessKey: string): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"; // as the connector does
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

function harness(kind: TestS3["kind"], endpoint: string, region: string, accessKeyId: string, secretAccessKey: string, stop: () => Promise<void>): TestS3 {
  const client = makeClient(endpoint, region, accessKeyId, secretAccessKey);
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    region,
    kind,
    client,
    async createBucket(prefix) {
      const name = `${prefix}-${randomBytes(4).toString("hex")}`.toLowerCase();
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    connection: (bucket, extra = {}) => ({
      type: "s3" as const,
      bucket,
      region,
      endpoint,
      force_path_style: true as const,
      access_key_id: accessKeyId,
      secret_access_key: secretAccessKey,
      ...extra,
    }),
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

/** Starts MinIO (or uses S3_TEST_ENDPOINT). Call `stop()` in `after()`. */
export async function startS3(): Promise<TestS3> {
  const external = process.env.S3_TEST_ENDPOINT;
  if (external) {
    const key = process.env.S3_TEST_ACCESS_KEY_ID ?? process.env.AWS_ACCESS_KEY_ID;
    const secret = process.env.S3_TEST_SECRET_ACCESS_KEY ?? process.env.AWS_SECRET_ACCESS_KEY;
    if (!key || !secret) throw new Error("S3_TEST_ENDPOINT is set: also set S3_TEST_ACCESS_KEY_ID and S3_TEST_SECRET_ACCESS_KEY");
    return harness("external", external.replace(/\/+$/, ""), process.env.S3_TEST_REGION ?? "us-east-1", key, secret, async () => undefined);
  }
  const binary = ensureMinio();
  const dir = mkdtempSync(join(dataRoot(), "agent-etl-minio-"));
  const [port, consolePort] = [await freePort(), await freePort()];
  const accessKeyId = `etl${randomBytes(6).toString("hex")}`;
  const secretAccessKey = `sk-${randomBytes(18).toString("base64url")}`;
  let output = "";
  const child = spawn(binary, ["server", "--quiet", "--address", `127.0.0.1:${port}`, "--console-address", `127.0.0.1:${consolePort}`, join(dir, "data")], {
    env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: "off", MINIO_UPDATE: "off", HOME: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const stopSync = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stopSync);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitReady(endpoint, child, () => output.split(secretAccessKey).join("***"));
  } catch (err: unknown) {
    running.delete(stopSync);
    stopSync();
    throw err;
  }
  const stop = async () => {
    running.delete(stopSync);
    if (child.exitCode === null && child.signalCode === null) {
      const gone = () => (child.exitCode !== null || child.signalCode !== null ? true : undefined);
      child.kill("SIGTERM");
      try {
        await poll("MinIO to exit after SIGTERM", gone, 5000, 50);
      } catch {
        // Still running after 5 s: kill it, and wait for it to be gone before its folder is removed.
        if (!gone()) {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGKILL");
          await exited;
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return harness("minio", endpoint, "us-east-1", accessKeyId, secretAccessKey, stop);
}
