/**
 * `on_schema_change` through the CLI against a real PostgreSQL: a source CSV that gains a column,
 * loses one, or changes a column's type between two runs, under `fail`, `evolve` and `ignore`.
 * What is asserted is the table itself: its columns and types from the catalog, and its rows.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { poll } from "../../support/poll";
import { postgresProject, readEvents, runCli, startCli, type Event } from "./helpers";

const DB = "drift";
const cluster = postgresProject("drift", DB);
const p = cluster.p;
const env = () => ({ DRIFT_PG_URL: cluster.url });

type Policy = "fail" | "evolve" | "ignore";

/** A pipeline that reads data/`table`.csv, casts, and appends to `table` with the policy. */
function pipeline(table: string, policy: Policy, casts: Record<string, string>): string {
  const cast = Object.entries(casts).map(([c, t]) => `${c}: ${t}`).join(", ");
  return p.write(`${table}.etl.yaml`, `version: 1
name: ${table}
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:DRIFT_PG_URL}" }
steps:
  - id: src
    extract: { connection: files, path: data/${table}.csv }
  - id: typed
    depends_on: [src]
    transform:
      - cast: { ${cast} }
  - id: load
    depends_on: [typed]
    load: { connection: db, table: ${table}, on_schema_change: ${policy} }
`);
}

function csv(table: string, text: string): void {
  p.write(`data/${table}.csv`, text);
}

/** The table's columns and types, from the catalog. */
async function ddl(table: string): Promise<string[]> {
  const rows = await cluster.server.query<{ c: string }>(
    "SELECT attname || ' ' || format_type(atttypid, atttypmod) AS c FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
    [table],
    DB,
  );
  return rows.map((r) => r.c);
}

async function rows(table: string, columns: string): Promise<Record<string, unknown>[]> {
  return cluster.server.query(`SELECT ${columns} FROM ${table} ORDER BY id`, [], DB);
}

async function run(file: string, name: string): Promise<{ code: number | null; out: string; events: Event[] }> {
  const events = join(p.dir, `${name}.events.jsonl`);
  const r = await runCli(["run", file, "--events", events], { cwd: p.dir, env: env() });
  return { code: r.code, out: r.stdout + r.stderr, events: readEvents(events) };
}

const FIRST = "id,amount,note\n1,10,a\n2,20,b\n";
const TYPES = { id: "integer", amount: "integer" };
const CREATED = ["id bigint", "amount bigint", "note text"];

/** Run 1 creates the table from FIRST; run 2 reads `second` (with `casts`) under `policy`. */
async function twoRuns(table: string, policy: Policy, second: string, casts: Record<string, string> = TYPES) {
  csv(table, FIRST);
  const first = await run(pipeline(table, policy, TYPES), `${table}-1`);
  assert.equal(first.code, 0, first.out);
  assert.deepEqual(await ddl(table), CREATED);
  csv(table, second);
  return run(pipeline(table, policy, casts), `${table}-2`);
}

const failedLoad = (events: Event[]) => String(events.find((e) => e.event === "step_failed" && e.step === "load")?.error);
const changed = (events: Event[]) => events.filter((e) => e.event === "schema_changed");

describe("on_schema_change (real PostgreSQL, real files)", () => {
  it("fail: a gained column fails the load, names it and the DDL, and changes nothing", async () => {
    const r = await twoRuns("gain_fail", "fail", "id,amount,note,email\n3,30,c,c@x\n");
    assert.equal(r.code, 1, r.out);
    const error = failedLoad(r.events);
    assert.match(error, /new column "email" \(string\)/);
    assert.match(error, /ALTER TABLE "gain_fail" ADD COLUMN "email" text/);
    assert.match(error, /on_schema_change: evolve/);
    assert.deepEqual(await ddl("gain_fail"), CREATED);
    assert.deepEqual(await rows("gain_fail", "id::int, note"), [{ id: 1, note: "a" }, { id: 2, note: "b" }]);
  });

  it("fail: a lost column and a changed type are named, and nothing changes", async () => {
    const lost = await twoRuns("lose_fail", "fail", "id,amount\n3,30\n");
    assert.equal(lost.code, 1, lost.out);
    assert.match(failedLoad(lost.events), /column "note" of the table is missing from the records \(it would load NULL\)/);
    assert.deepEqual(await ddl("lose_fail"), CREATED);
    assert.equal((await rows("lose_fail", "id")).length, 2);

    const retyped = await twoRuns("type_fail", "fail", "id,amount,note\n3,30.5,c\n", { id: "integer", amount: "decimal" });
    assert.equal(retyped.code, 1, retyped.out);
    const error = failedLoad(retyped.events);
    assert.match(error, /column "amount" is bigint in the table but decimal in the records \(widening to numeric holds both\)/);
    assert.match(error, /ALTER TABLE "type_fail" ALTER COLUMN "amount" TYPE numeric/);
    assert.deepEqual(await ddl("type_fail"), CREATED);
    assert.equal((await rows("type_fail", "id")).length, 2);
  });

  it("evolve: adds the new column inside the load, lists the change, and loads the rows", async () => {
    const r = await twoRuns("gain_evolve", "evolve", "id,amount,note,email\n3,30,c,c@x\n");
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await ddl("gain_evolve"), [...CREATED, "email text"]);
    assert.deepEqual(await rows("gain_evolve", "id::int, email"), [{ id: 1, email: null }, { id: 2, email: null }, { id: 3, email: "c@x" }]);
    const [event] = changed(r.events);
    assert.deepEqual(event?.changes, ['ALTER TABLE "gain_evolve" ADD COLUMN "email" text']);
    assert.equal(event?.policy, "evolve");
    assert.match(r.out, /schema: load → gain_evolve \(on_schema_change: evolve\): ALTER TABLE "gain_evolve" ADD COLUMN "email" text/);
  });

  it("evolve: a lost nullable column loads NULL; a lost NOT NULL one fails and changes nothing", async () => {
    const r = await twoRuns("lose_evolve", "evolve", "id,amount\n3,30\n");
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await ddl("lose_evolve"), CREATED);
    assert.deepEqual(await rows("lose_evolve", "id::int, note"), [{ id: 1, note: "a" }, { id: 2, note: "b" }, { id: 3, note: null }]);
    assert.deepEqual(changed(r.events)[0]?.changes, ['column "note" is not in the records: it loads NULL']);

    await cluster.server.query("DELETE FROM lose_evolve WHERE note IS NULL; ALTER TABLE lose_evolve ALTER COLUMN note SET NOT NULL", [], DB);
    const strict = await run(pipeline("lose_evolve", "evolve", TYPES), "lose_evolve-3");
    assert.equal(strict.code, 1, strict.out);
    assert.match(failedLoad(strict.events), /column "note" of the table is missing from the records \(NOT NULL, so it cannot load NULL\).*ALTER COLUMN "note" DROP NOT NULL/);
    assert.equal((await rows("lose_evolve", "id")).length, 2);
  });

  it("evolve: widens bigint to numeric for decimals, keeping the old rows; refuses an unsafe change", async () => {
    const r = await twoRuns("type_evolve", "evolve", "id,amount,note\n3,30.5,c\n", { id: "integer", amount: "decimal" });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(await ddl("type_evolve"), ["id bigint", "amount numeric", "note text"]);
    assert.deepEqual(await rows("type_evolve", "id::int, amount::text"), [{ id: 1, amount: "10" }, { id: 2, amount: "20" }, { id: 3, amount: "30.5" }]);
    assert.deepEqual(changed(r.events)[0]?.changes, ['ALTER TABLE "type_evolve" ALTER COLUMN "amount" TYPE numeric']);

    csv("type_evolve", "id,amount,note\n4,true,d\n");
    const unsafe = await run(pipeline("type_evolve", "evolve", { id: "integer", amount: "boolean" }), "type_evolve-3");
    assert.equal(unsafe.code, 1, unsafe.out);
    assert.match(failedLoad(unsafe.events), /column "amount" is numeric in the table but boolean in the records \(no safe widening holds both\)/);
    assert.deepEqual(await ddl("type_evolve"), ["id bigint", "amount numeric", "note text"]);
    assert.equal((await rows("type_evolve", "id")).length, 3);
  });

  it("ignore: leaves a new column out and warns once; a lost column loads NULL; a retyped value fails in the database, changing nothing", async () => {
    const gain = await twoRuns("gain_ignore", "ignore", "id,amount,note,email,phone\n3,30,c,c@x,123\n4,40,d,d@x,456\n");
    assert.equal(gain.code, 0, gain.out);
    assert.deepEqual(await ddl("gain_ignore"), CREATED);
    assert.deepEqual(await rows("gain_ignore", "id::int, note"), [{ id: 1, note: "a" }, { id: 2, note: "b" }, { id: 3, note: "c" }, { id: 4, note: "d" }]);
    const events = changed(gain.events);
    assert.equal(events.length, 1, "one warning per run");
    assert.deepEqual(events[0]?.changes, ['column "email" not loaded: table gain_ignore has no such column', 'column "phone" not loaded: table gain_ignore has no such column']);

    const lost = await twoRuns("lose_ignore", "ignore", "id,amount\n3,30\n");
    assert.equal(lost.code, 0, lost.out);
    assert.deepEqual(await rows("lose_ignore", "id::int, note"), [{ id: 1, note: "a" }, { id: 2, note: "b" }, { id: 3, note: null }]);

    const retyped = await twoRuns("type_ignore", "ignore", "id,amount,note\n3,30.5,c\n", { id: "integer", amount: "decimal" });
    assert.equal(retyped.code, 1, retyped.out);
    assert.match(failedLoad(retyped.events), /30\.5/);
    assert.deepEqual(await ddl("type_ignore"), CREATED);
    assert.equal((await rows("type_ignore", "id")).length, 2);
  });

  it("kill -9 during an evolve load leaves neither the new column nor any rows", async () => {
    const table = "killed_evolve";
    csv(table, FIRST);
    const first = await run(pipeline(table, "evolve", TYPES), "killed-1");
    assert.equal(first.code, 0, first.out);
    const lines = ["id,amount,note,email"];
    for (let i = 3; i < 400_000; i++) lines.push(`${i},${i},note ${i},user${i}@example.com`);
    csv(table, lines.join("\n") + "\n");
    const cli = startCli(["run", pipeline(table, "evolve", TYPES)], { cwd: p.dir, env: env() });
    // The COPY runs after the ALTER in the load's transaction: once it streams, both are uncommitted.
    await poll("the evolve load's COPY", async () => {
      const copying = await cluster.server.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY %' AND state = 'active'", [DB], DB);
      return (copying[0]?.n ?? 0) > 0 ? true : undefined;
    }, 120_000, 20);
    cli.child.kill("SIGKILL");
    assert.equal((await cli.done).signal, "SIGKILL");
    // The server rolls the transaction back once it sees the socket close.
    await poll("the killed session to end", async () => {
      const left = await cluster.server.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'agent-etl'", [DB], DB);
      return left[0]?.n === 0 ? true : undefined;
    });
    assert.deepEqual(await ddl(table), CREATED, "no email column");
    assert.deepEqual(await rows(table, "id::int"), [{ id: 1 }, { id: 2 }]);
  });
});
