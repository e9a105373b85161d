/**
 * A load that waits on another session's lock says so, and on whom, against a real PostgreSQL: a
 * second session holds a row lock (a merge needs the row) or a table lock (replace's TRUNCATE
 * needs the table); the load warns and shows a phase naming the holder's pid and
 * application_name, then completes when the holder commits.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import pgLib from "pg";
import pino from "pino";
import type { DataRecord, LoadResult } from "../../../server/src/sources/types";
import { postgresConnector } from "../../../server/src/sources/postgres";
import { loadRequest, pgConnection, stream, testDatabase } from "./helpers";

const DB = "lock_waits";

const db = testDatabase(DB);

/** A session that holds a lock until `release()`. */
async function holder(table: string, lockSql: string): Promise<{ pid: number; release: () => Promise<void> }> {
  const client = new pgLib.Client({ connectionString: db.url, application_name: "lock-holder" });
  await client.connect();
  await client.query("BEGIN");
  await client.query(lockSql.replace("$table", table));
  const pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid as number;
  return {
    pid,
    release: async () => {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

/** Starts a load; collects its warnings and phases. */
function startLoad(table: string, records: DataRecord[], mode: "merge" | "replace") {
  const warnings: string[] = [];
  const phases: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as { level: number; msg: string };
      if (line.level === 40) warnings.push(line.msg);
      done();
    },
  });
  const request = { ...loadRequest(pgConnection(db.url), table, stream(records), { mode, create: false, ...(mode === "merge" ? { key: "id" } : {}) }), logger: pino({ level: "info" }, sink), onPhase: (note: string) => phases.push(note) };
  let settled: LoadResult | Error | undefined;
  const done = postgresConnector.load(request).then(
    (r) => (settled = r),
    (e: Error) => (settled = e),
  );
  return { warnings, phases, done, settled: () => settled };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function table(name: string): Promise<void> {
  await db.pg.query(`DROP TABLE IF EXISTS ${name}`, [], DB);
  await db.pg.query(`CREATE TABLE ${name} (id int PRIMARY KEY, v text)`, [], DB);
  await db.pg.query(`INSERT INTO ${name} SELECT g, 'old' FROM generate_series(1, 3) g`, [], DB);
}

const rows = async (name: string) => db.pg.query<{ id: number; v: string }>(`SELECT id, v FROM ${name} ORDER BY id`, [], DB);

describe("a load waiting on a lock", () => {
  for (const [mode, lock, what] of [
    ["merge", "UPDATE $table SET v = 'held' WHERE id = 1", "a row lock held by another transaction"],
    ["replace", "LOCK TABLE $table IN ACCESS SHARE MODE", "a table lock (a long report's read)"],
  ] as const) {
    it(`${mode} behind ${what}: warns with the holder's pid and application_name, then completes`, async () => {
      const name = `public.wait_${mode}`;
      await table(name);
      const held = await holder(name, lock);
      const load = startLoad(name, [{ id: 1, v: "new" }, { id: 4, v: "four" }], mode);
      const expected = new RegExp(`^waiting for a lock on ${name.replace(".", "\\.")} held by pid ${held.pid} \\(application_name "lock-holder", idle in transaction, query started \\d{4}-\\d\\d-\\d\\dT[^)]*\\); the load goes on when that session commits or rolls back$`);
      await until(() => load.phases.some((p) => expected.test(p)), 15_000, "the waiting phase");
      assert.ok(load.warnings.some((w) => expected.test(w)), `warnings: ${load.warnings.join(" | ")}`);
      assert.equal(load.settled(), undefined, "the load is still waiting");
      await held.release();
      await load.done;
      assert.deepEqual(load.settled(), { rows: 2 });
      assert.deepEqual(await rows(name), mode === "merge" ? [{ id: 1, v: "new" }, { id: 2, v: "old" }, { id: 3, v: "old" }, { id: 4, v: "four" }] : [{ id: 1, v: "new" }, { id: 4, v: "four" }]);
    });
  }

  it("a load that waits for nothing says nothing about locks", async () => {
    await table("public.no_wait");
    const load = startLoad("public.no_wait", [{ id: 9, v: "nine" }], "merge");
    await load.done;
    assert.deepEqual(load.settled(), { rows: 1 });
    assert.deepEqual([...load.warnings, ...load.phases].filter((t) => /lock/.test(t)), []);
  });
});
