/** DuckDB through the CLI: kill -9 mid-load then --resume, and a file we write read back by DuckDB itself. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { closeDatabases } from "../../../server/src/sources/duckdb/engine";
import { project, readEvents, ROOT, runCli, startCli, waitFor } from "../runner/helpers";
import { testDuckdb } from "./helpers";

const p = project("duckdb-cli");
const db = testDuckdb("duckdb-cli");
after(async () => {
  await closeDatabases();
  p.cleanup();
  db.cleanup();
});

const N = 300_000;

function bigCsv(): void {
  const lines = ["id,name,amount"];
  for (let i = 1; i <= N; i++) lines.push(`${i},${i % 10 === 0 ? '"has ""quotes"", commas"' : `name ${i}`},${i % 1000}.${String(i % 100).padStart(2, "0")}`);
  p.write("data/big.csv", lines.join("\n") + "\n");
}

const count = async (table: string) => Number((await db.rows(`SELECT count(*) AS n FROM ${table}`))[0]?.["n"]);

describe("duckdb through the CLI", () => {
  it("kill -9 mid-load leaves the table as it was; --resume loads it exactly once", async () => {
    bigCsv();
    await db.run("CREATE TABLE big (id BIGINT, name VARCHAR, amount DECIMAL(10,2)); INSERT INTO big VALUES (0, 'old', 1.00)");
    await closeDatabases(); // the CLI needs the file's lock
    const file = p.write("load.etl.yaml", `version: 1
name: duck_load
connections:
  data: { type: file, root: data }
  wh: { type: duckdb, path: ${JSON.stringify(db.path)} }
steps:
  - id: extract
    extract: { connection: data, path: big.csv }
  - id: load
    depends_on: [extract]
    load: { connection: wh, table: big }
`);
    const events = join(p.dir, "events.jsonl");
    const run = startCli(["run", file, "--run-id", "k1", "--events", events], { cwd: p.dir });
    const started = () => {
      try {
        return readEvents(events).some((e) => e.event === "step_started" && e.step === "load");
      } catch {
        return false; // a line being written
      }
    };
    await waitFor(() => existsSync(events) && started(), 60_000, "the load to start");
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill("SIGKILL");
    assert.equal((await run.done).signal, "SIGKILL");
    const state = JSON.parse(p.read(".etl/runs/k1/state.json"));
    assert.equal(state.steps.load.status, "running", "killed in the middle of the load");
    assert.deepEqual(await db.rows("SELECT id, name FROM big"), [{ id: "0", name: "old" }], "the killed load changed nothing");
    await closeDatabases();

    const resumed = await runCli(["run", file, "--resume", "--run-id", "k1"], { cwd: p.dir });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal(await count("big"), N + 1);
    assert.deepEqual(await db.rows("SELECT sum(id)::VARCHAR AS ids, count(DISTINCT id)::INTEGER AS n, max(name) AS top FROM big WHERE id > 0"), [{ ids: String((N * (N + 1)) / 2), n: N, top: "name 99999" }]);
    assert.deepEqual(await db.rows("SELECT name, amount::VARCHAR AS amount FROM big WHERE id IN (10, 12345) ORDER BY id"), [
      { name: 'has "quotes", commas', amount: "10.10" },
      { name: "name 12345", amount: "345.45" },
    ]);
    await closeDatabases();
    const again = await runCli(["run", file, "--run-id", "k1", "--step", "load"], { cwd: p.dir });
    assert.match(again.stdout + again.stderr, /already loaded 300000 rows into big/);
    assert.equal(await count("big"), N + 1, "a retried load of the same run and step adds nothing");
    await closeDatabases();
  });

  it("a CSV we write from a DuckDB extract reads back equal with DuckDB's own read_csv", async () => {
    const file = p.write("out.etl.yaml", `version: 1
name: duck_out
connections:
  wh: { type: duckdb, path: ${JSON.stringify(db.path)} }
  out: { type: file, root: out }
steps:
  - id: extract
    extract: { connection: wh, query: "SELECT id, name, amount FROM big WHERE id % 7 = 0" }
  - id: write
    depends_on: [extract]
    load: { connection: out, path: big.csv }
`);
    const r = await runCli(["run", file], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const csv = join(p.dir, "out", "big.csv");
    const diff = async (a: string, b: string) => Number((await db.rows(`SELECT count(*) AS n FROM (${a} EXCEPT ALL ${b})`))[0]?.["n"]);
    const ours = `SELECT id, name, amount FROM read_csv('${csv}', header = true, columns = {id: 'BIGINT', name: 'VARCHAR', amount: 'DECIMAL(10,2)'})`;
    const table = "SELECT id, name, amount FROM big WHERE id % 7 = 0";
    assert.deepEqual([await diff(ours, table), await diff(table, ours)], [0, 0]);
    assert.equal(Number((await db.rows(`SELECT count(*) AS n FROM (${ours})`))[0]?.["n"]), Math.floor(N / 7) + 1, "every seventh row and the old row 0");
  });
});

describe("the README's DuckDB pipeline", () => {
  it("runs: orders merged into the file, totals computed there by the sql step", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const snippet = /```yaml\n(version: 1\nname: orders_to_duckdb\n[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(snippet, "the README has the orders_to_duckdb pipeline");
    const dir = project("duckdb-readme");
    try {
      const file = dir.write("orders.etl.yaml", snippet);
      dir.write("data/orders.csv", "order_id,status,amount\n1,paid,10.50\n2,open,3\n3,paid,0.25\n1,paid,11.50\n");
      const r = await runCli(["run", file], { cwd: dir.dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const instance = await (await import("@duckdb/node-api")).DuckDBInstance.create(join(dir.dir, "warehouse.duckdb"));
      const connection = await instance.connect();
      const totals = (await connection.runAndReadAll("SELECT status, orders::INTEGER AS orders, CAST(amount AS DECIMAL(10, 2))::VARCHAR AS amount FROM totals ORDER BY status")).getRowObjectsJson();
      connection.closeSync();
      instance.closeSync();
      // Order 1 appears twice: the merge keeps its last record.
      assert.deepEqual(totals, [
        { status: "open", orders: 1, amount: "3.00" },
        { status: "paid", orders: 2, amount: "11.75" },
      ]);
    } finally {
      dir.cleanup();
    }
  });
});
