/**
 * `on_error: quarantine` feeding a real PostgreSQL load, which streams from the transform as it
 * runs: under `max_rejected` the table gets exactly the good records; past it the transform fails
 * after its last record and the load must leave the table and `_agent_etl_loads` as they were.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { postgresProject, readEvents, runCli } from "./helpers";

const DB = "quarantine_db";
const cluster = postgresProject("quarantine-pg", DB);
const p = cluster.p;

const N = 1000;
const isBad = (i: number) => i % 100 === 42;
const badCount = Array.from({ length: N }, (_, i) => i).filter(isBad).length;
p.write("in.csv", ["id,amount", ...Array.from({ length: N }, (_, i) => `${i + 1},${isBad(i) ? "none" : String(i)}`)].join("\n") + "\n");

const pipeline = (maxRejected: number) => `version: 1
name: quarantined_pg
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:Q_PG_URL}" }
steps:
  - id: raw
    extract: { connection: files, path: in.csv }
  - id: typed
    depends_on: [raw]
    on_error: quarantine
    max_rejected: ${maxRejected}
    transform:
      - cast: { id: integer, amount: integer }
  - id: save
    depends_on: [typed]
    load: { connection: db, table: amounts, mode: append }
`;

async function counts(): Promise<{ rows: number; loads: number; bad: number }> {
  const [row] = await cluster.server.query<{ n: number; loads: number; bad: number }>(
    `SELECT (SELECT count(*)::int FROM amounts) AS n, (SELECT count(*)::int FROM _agent_etl_loads) AS loads, (SELECT count(*)::int FROM amounts WHERE id % 100 = 43) AS bad`,
    [],
    DB,
  );
  return { rows: row?.n ?? -1, loads: row?.loads ?? -1, bad: row?.bad ?? -1 };
}

let runs = 0;
async function run(maxRejected: number) {
  runs++;
  const file = p.write(`q${runs}.etl.yaml`, pipeline(maxRejected));
  const events = `${p.dir}/events${runs}.jsonl`;
  const r = await runCli(["run", file, "--events", events], { cwd: p.dir, env: { Q_PG_URL: cluster.url } });
  return { r, events: readEvents(events) };
}

describe("on_error: quarantine into PostgreSQL", () => {
  it("loads N − bad records, then a run past max_rejected changes nothing", async () => {
    const first = await run(badCount);
    assert.equal(first.r.code, 0, first.r.stderr);
    assert.deepEqual(await counts(), { rows: N - badCount, loads: 1, bad: 0 });
    assert.equal(first.events.find((e) => e.event === "rows_rejected")?.["rejected"], badCount);

    const second = await run(badCount - 1);
    assert.notEqual(second.r.code, 0);
    assert.equal(second.events.find((e) => e.event === "step_failed" && e.step === "typed")?.["code"], "too-many-rejected");
    assert.notEqual(second.events.find((e) => e.event === "step_succeeded" && e.step === "save")?.["step"], "save");
    assert.deepEqual(await counts(), { rows: N - badCount, loads: 1, bad: 0 });
  });
});
