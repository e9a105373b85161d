/**
 * The quarantine case on a real PostgreSQL: N rows with 1,000 values that do not cast →
 * N − 1,000 rows loaded, the 1,000 in the rejected file and in `<table>_rejected` with their
 * reasons; past `max_rejected` nothing is loaded; and a load that fails at COMMIT leaves neither
 * its rows nor its rejected rows behind. Then an extract's unparsable lines, into the same kind of table.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { postgresProject, readEvents, runCli } from "./helpers";

const DB = "rejected_table_db";
const cluster = postgresProject("rejected-table", DB);
const p = cluster.p;

const N = 1_000_000;
const BAD = 1000;
const step = N / BAD;
/** Row i (0-based) has an amount that does not cast when i % step === 7: 1,000 of them. */
const isBad = (i: number) => i % step === 7;
const amount = (i: number) => (isBad(i) ? `bad-${i}` : String(i % 5000));

function writeCsv(): void {
  const lines = new Array<string>(N + 1);
  lines[0] = "id,amount";
  for (let i = 0; i < N; i++) lines[i + 1] = `${i + 1},${amount(i)}`;
  p.write("in.csv", `${lines.join("\n")}\n`);
}

const pipeline = (maxRejected: number) => `version: 1
name: rejected_table
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:RT_PG_URL}" }
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
    load: { connection: db, table: amounts, rejected_table: true }
`;

interface Counts {
  rows: number;
  loads: number;
  rejected: number;
}

async function counts(): Promise<Counts> {
  const [row] = await cluster.server.query<{ rows: number; loads: number; rejected: number }>(
    `SELECT (SELECT count(*)::int FROM amounts) AS rows, (SELECT count(*)::int FROM _agent_etl_loads) AS loads,
            (SELECT count(*)::int FROM amounts_rejected) AS rejected`,
    [],
    DB,
  );
  return row as Counts;
}

let runs = 0;
async function run(maxRejected: number) {
  runs++;
  const file = p.write(`q${runs}.etl.yaml`, pipeline(maxRejected));
  const eventsPath = join(p.dir, `events${runs}.jsonl`);
  const r = await runCli(["run", file, "--events", eventsPath], { cwd: p.dir, env: { RT_PG_URL: cluster.url } });
  const events = readEvents(eventsPath);
  const runId = String(events.find((e) => e.event === "run_started")?.["run_id"]);
  return { r, events, runId };
}

describe(`quarantine: ${N} rows with ${BAD} bad values into PostgreSQL`, () => {
  it("loads the good rows; the bad ones are in the rejected file and table, with reasons", async () => {
    writeCsv();
    const { r, events, runId } = await run(BAD);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await counts(), { rows: N - BAD, loads: 1, rejected: BAD });
    const [bad] = await cluster.server.query<{ n: number }>(`SELECT count(*)::int AS n FROM amounts WHERE id % ${step} = 8`, [], DB);
    assert.equal(bad?.n, 0, "no bad row is loaded");

    const lines = readFileSync(join(p.dir, ".etl", "runs", runId, "typed.rejected.jsonl"), "utf8").split("\n").filter(Boolean);
    const expectedIds = Array.from({ length: BAD }, (_, k) => k * step + 7 + 1);
    const rejected = lines.map((l) => JSON.parse(l) as { row: number; column: string; value: string; reason: string; record: { id: number } });
    assert.deepEqual(rejected.map((x) => x.row), expectedIds);
    for (const x of rejected) {
      assert.equal(x.column, "amount");
      assert.equal(x.value, amount(x.row - 1));
      assert.match(x.reason, new RegExp(`value "bad-${x.row - 1}" is not an integer`));
    }
    assert.equal(events.find((e) => e.event === "rows_rejected")?.["rejected"], BAD);

    const table = await cluster.server.query<{ run_id: string; step: string; op: number; row: number; column: string; value: string; reason: string; id: number; rejected_at: Date | null }>(
      `SELECT run_id, step, op, "row"::int AS row, "column", value #>> '{}' AS value, reason, (record->>'id')::int AS id, rejected_at FROM amounts_rejected ORDER BY "row"`,
      [],
      DB,
    );
    assert.deepEqual(table.map((t) => Number(t.row)), expectedIds);
    for (const [k, t] of table.entries()) {
      assert.deepEqual([t.run_id, t.step, t.op, t.column, t.value, t.reason, t.id], [runId, "typed", 1, "amount", rejected[k]?.value, rejected[k]?.reason, expectedIds[k]]);
      assert.ok(t.rejected_at instanceof Date);
    }
  });

  it("past max_rejected nothing is loaded: rows, rejected rows and _agent_etl_loads stay as they were", async () => {
    const before = await counts();
    const { r, events } = await run(BAD - 1);
    assert.notEqual(r.code, 0);
    assert.equal(events.find((e) => e.event === "step_failed" && e.step === "typed")?.["code"], "too-many-rejected");
    assert.equal(events.find((e) => e.event === "step_succeeded" && e.step === "save"), undefined);
    assert.deepEqual(await counts(), before);
  });

  it("a load that fails at COMMIT rolls its rejected rows back with its rows", async () => {
    // A check that runs at COMMIT, so the load fails only after its rows and rejected rows are written.
    await cluster.server.query(
      `CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
       CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON amounts_rejected DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()`,
      [],
      DB,
    );
    const before = await counts();
    const { r, events } = await run(BAD);
    assert.notEqual(r.code, 0);
    assert.match(String(events.find((e) => e.event === "step_failed" && e.step === "save")?.["error"]), /refused at commit/);
    assert.equal(events.find((e) => e.event === "rows_rejected")?.["rejected"], BAD, "the transform did quarantine");
    assert.deepEqual(await counts(), before);
  });
});

describe("rejected_table fed by an extract's quarantine", () => {
  it("writes each line that did not parse, with its source, line, text and reason", async () => {
    p.write("lines.csv", 'id,name\n1,a\n2,b,c\n3,"c"d\n4,e\n');
    const file = p.write(
      "lines.etl.yaml",
      `version: 1
name: rejected_lines
connections:
  files: { type: file }
  db: { type: postgres, url: "\${env:RT_PG_URL}" }
steps:
  - id: raw
    on_error: quarantine
    max_rejected: 2
    extract: { connection: files, path: lines.csv }
  - id: save
    depends_on: [raw]
    load: { connection: db, table: "public.lines", rejected_table: true }
`,
    );
    const r = await runCli(["run", file, "--run-id", "lines-1"], { cwd: p.dir, env: { RT_PG_URL: cluster.url } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await cluster.server.query("SELECT id, name FROM lines ORDER BY id", [], DB), [
      { id: "1", name: "a" },
      { id: "4", name: "e" },
    ]);
    const rows = await cluster.server.query<{ run_id: string; step: string; source: string; line: number; text: string; reason: string; op: number | null; record: unknown }>(
      `SELECT run_id, step, source, line::int AS line, "text", reason, op, record FROM public.lines_rejected ORDER BY line`,
      [],
      DB,
    );
    assert.deepEqual(rows.map((x) => [x.run_id, x.step, x.source, x.line, x.text, x.op, x.record]), [
      ["lines-1", "raw", "lines.csv", 3, "2,b,c", null, null],
      ["lines-1", "raw", "lines.csv", 4, '3,"c"d', null, null],
    ]);
    assert.equal(rows[0]?.reason, "the record has 3 fields, the header has 2");
    assert.match(rows[1]?.reason ?? "", /quote/i);
  });
});
