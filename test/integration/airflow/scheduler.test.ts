/**
 * The distributed path for real: an exported DAG under Airflow's own scheduler with the
 * LocalExecutor (each task its own process), the metadata database in PostgreSQL, step outputs
 * staged on the S3 server (MinIO), three logical dates backfilled with `airflow backfill create`.
 * A load task is killed (SIGKILL) in the middle of its COPY; Airflow fails the try, retries it,
 * and the target ends up with exactly the expected rows, none twice.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { ensureAirflow, type Airflow } from "../../support/airflow";
import { startScheduler, type AirflowScheduler } from "../../support/airflowScheduler";
import { poll } from "../../support/poll";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { startS3, type TestS3 } from "../../support/s3";
import { CLI_JS, exportTo } from "./helpers";

const VERSION = "3.3.2";
const DAYS = ["2024-05-01", "2024-05-02", "2024-05-03"];
/** The day whose load is killed, and the order id the test holds so that the load blocks on it halfway. */
const KILLED_DAY = "2024-05-02";
const HELD_ID = 204;

interface Order {
  id: number;
  day: string;
  amount: number;
}

/** Five orders a day; ids say the day (201–205 are 2024-05-02's). */
function ordersOf(day: string): Order[] {
  const n = DAYS.indexOf(day) + 1;
  return n === 0 ? [] : Array.from({ length: 5 }, (_, i) => ({ id: n * 100 + i + 1, day, amount: (n * 100 + i + 1) * 3 }));
}

/** A loopback orders API: `GET /orders?day=YYYY-MM-DD` answers that day's orders. */
async function startOrdersApi(): Promise<{ url: string; days: string[]; close(): Promise<void> }> {
  const days: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const day = url.searchParams.get("day") ?? "";
    days.push(day);
    res.writeHead(url.pathname === "/orders" ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(url.pathname === "/orders" ? ordersOf(day) : { error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, days, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const PIPELINE = `version: 1
name: sched_orders
description: Orders of the day from the orders API into the warehouse.
schedule: "@daily"
start_date: "2024-05-01"
staging: {connection: shared, prefix: staging/}
connections:
  api: {type: http, base_url: "\${env:SCHED_API_URL}"}
  shared:
    type: s3
    bucket: "\${env:SCHED_S3_BUCKET}"
    endpoint: "\${env:SCHED_S3_ENDPOINT}"
    region: us-east-1
    force_path_style: true
    access_key_id: "\${env:SCHED_S3_KEY}"
    secret_access_key: "\${env:SCHED_S3_SECRET}"
  warehouse: {type: postgres, url: "\${env:SCHED_PG_URL}"}
steps:
  - id: extract_orders
    extract: {connection: api, path: /orders, query: {day: "{{ ds }}"}}
  - id: load_orders
    depends_on: [extract_orders]
    retries: 1
    retry_delay: 1s
    retry_backoff: fixed
    load: {connection: warehouse, table: orders, mode: append}
`;

/** The pid of the CLI process running `step` for logical date `ds`, when there is one. */
function cliProcess(step: string, ds: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // ended meanwhile
    }
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    if (args[1] === CLI_JS && args[2] === "run" && at("--step") === step && at("--ds") === ds) return Number(entry);
  }
  return undefined;
}

describe(`Airflow ${VERSION} scheduler (LocalExecutor, PostgreSQL metadata, S3 staging)`, () => {
  let airflow: Airflow;
  let pgServer: TestPostgres;
  let s3: TestS3;
  let api: Awaited<ReturnType<typeof startOrdersApi>>;
  let scheduler: AirflowScheduler | undefined;
  let work: string;
  const timings: string[] = [];

  before(async () => {
    airflow = await ensureAirflow(VERSION);
    [pgServer, s3, api] = await Promise.all([startPostgres(), startS3(), startOrdersApi()]);
    work = mkdtempSync(join(tmpdir(), "agent-etl-scheduler-"));
  });
  after(async () => {
    await scheduler?.stop();
    await Promise.all([pgServer?.stop(), s3?.stop(), api?.close()]);
    if (work) rmSync(work, { recursive: true, force: true });
    if (timings.length > 0) console.log(`airflow scheduler timings:\n  ${timings.join("\n  ")}`);
  });

  it("backfills three days; a load killed mid-COPY is retried by Airflow and no row is loaded twice", async () => {
    const t0 = Date.now();
    const mark = (what: string) => timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const warehouseUrl = await pgServer.createDatabase("warehouse");
    const bucket = await s3.createBucket("sched-staging");
    await pgServer.query("CREATE TABLE orders (id bigint PRIMARY KEY, day date NOT NULL, amount bigint NOT NULL)", [], "warehouse");
    const file = join(work, "sched_orders.etl.yaml");
    writeFileSync(file, PIPELINE);

    // The pipeline's connections (secrets included) reach the tasks only through the worker's environment.
    let dagId = "";
    scheduler = await startScheduler({
      airflow,
      pg: pgServer,
      dags: async (folder) => {
        dagId = await exportTo(file, folder);
        const exported = readFileSync(join(folder, `${dagId}.py`), "utf8");
        assert.ok(!exported.includes(pgServer.password) && !exported.includes(s3.secretAccessKey), "no secret in the DAG file");
      },
      taskEnv: { SCHED_API_URL: api.url, SCHED_S3_BUCKET: bucket, SCHED_S3_ENDPOINT: s3.endpoint, SCHED_S3_KEY: s3.accessKeyId, SCHED_S3_SECRET: s3.secretAccessKey, SCHED_PG_URL: warehouseUrl },
    });
    const sched = scheduler;
    mark("metadata database ready, processes started");
    const meta = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => pgServer.query<T>(sql, params, sched.metadataDatabase);

    // Holds one of the killed day's ids in an open transaction: that day's COPY inserts the rows before it, then waits.
    const holder = new pg.Client({ connectionString: warehouseUrl });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("INSERT INTO orders (id, day, amount) VALUES ($1, $2, 0)", [HELD_ID, KILLED_DAY]);
      await Promise.all([sched.backfill(dagId, ["--from-date", DAYS[0] as string, "--to-date", DAYS[DAYS.length - 1] as string, "--max-active-runs", "3"]).then(() => mark("backfill created")), sched.ready().then(() => mark("execution API up"))]);

      const waiting = await poll(
        `${KILLED_DAY}'s load to block on the held row`,
        async () => {
          const rows = await pgServer.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = 'warehouse' AND wait_event_type = 'Lock' AND query ILIKE 'COPY%'");
          return rows.length > 0 ? rows : undefined;
        },
        90_000,
        200,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${sched.logs()}`);
      });
      assert.equal(waiting.length, 1, "one load blocks");
      const pid = cliProcess("load_orders", KILLED_DAY);
      assert.ok(pid !== undefined, `no CLI process runs load_orders for ${KILLED_DAY}`);
      process.kill(pid, "SIGKILL");
      mark(`load of ${KILLED_DAY} killed mid-COPY (pid ${pid})`);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }

    const runs = await poll(
      "the three backfill runs to finish",
      async () => {
        const rows = await meta<{ run_id: string; state: string }>("SELECT run_id, state FROM dag_run WHERE dag_id = $1 ORDER BY logical_date", [dagId]);
        return rows.length === DAYS.length && rows.every((r) => r.state === "success" || r.state === "failed") ? rows : undefined;
      },
      120_000,
      500,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${sched.logs()}`);
    });
    mark("backfill finished");
    assert.deepEqual(runs.map((r) => r.state), DAYS.map(() => "success"), JSON.stringify(runs));
    assert.ok(runs.every((r) => r.run_id.startsWith("backfill__")), JSON.stringify(runs));

    // Exactly the three days' orders, each once: the killed COPY left nothing, its retry loaded the day once.
    const loaded = await pgServer.query<{ id: string; day: string; amount: string }>("SELECT id::text, to_char(day, 'YYYY-MM-DD') AS day, amount::text FROM orders ORDER BY id", [], "warehouse");
    const expected = DAYS.flatMap(ordersOf).map((o) => ({ id: String(o.id), day: o.day, amount: String(o.amount) }));
    assert.deepEqual(loaded, expected);

    // Airflow retried only the killed task: its first try failed, its second succeeded; every other task ran once.
    const tries = await meta<{ task_id: string; day: string; state: string; try_number: number }>(
      "SELECT ti.task_id, to_char(dr.logical_date AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, ti.state, ti.try_number FROM task_instance ti JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id WHERE ti.dag_id = $1 ORDER BY 2, 1",
      [dagId],
    );
    assert.deepEqual(
      tries.map((t) => `${t.day} ${t.task_id} ${t.state} ${t.try_number}`),
      DAYS.flatMap((d) => [`${d} extract_orders success 1`, `${d} load_orders success ${d === KILLED_DAY ? 2 : 1}`]),
    );
    const history = await meta<{ try_number: number; state: string }>("SELECT try_number, state FROM task_instance_history WHERE dag_id = $1 AND task_id = 'load_orders'", [dagId]);
    assert.deepEqual(history.map((h) => [h.try_number, h.state]), [[1, "failed"]]);
    // The extracts ran once per day (the retry re-ran the load only, from the staged output on S3).
    assert.deepEqual([...api.days].sort(), DAYS);
    mark("checked");
  });
});
