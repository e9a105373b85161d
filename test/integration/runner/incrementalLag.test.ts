/**
 * Incremental `lag` through the CLI and a real PostgreSQL: a row whose transaction commits after a
 * later row was read is skipped for ever without `lag`, and picked up by the next run with it,
 * once in a `merge` target; after runs under concurrent writers the target equals the source.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pg from "pg";
import { postgresProject, runCli } from "./helpers";

const DB = "cli_incremental_lag";
const cluster = postgresProject("cli-incremental-lag", DB);
const p = cluster.p;

function pipelineText(name: string, source: string, target: string, lag: string): string {
  return `version: 1
name: ${name}
connections:
  db: { type: postgres, url: "\${env:LAG_PG_URL}" }
steps:
  - id: src
    extract: { connection: db, table: ${source}, incremental: { column: updated_at${lag} } }
  - id: dest
    depends_on: [src]
    load: { connection: db, table: ${target}, mode: merge, key: id }
`;
}

const run = (file: string) => runCli(["run", file], { cwd: p.dir, env: { LAG_PG_URL: cluster.url } });
const q = <T extends Record<string, unknown>>(sql: string) => cluster.server.query<T>(sql, [], DB);

async function ids(table: string): Promise<number[]> {
  return (await q<{ id: number }>(`SELECT id::int AS id FROM ${table} ORDER BY id`)).map((r) => r.id);
}

/** Runs the scenario on `source` → `target`: returns the target's ids after the run that follows the late commit. */
async function lateCommit(name: string, source: string, target: string, lag: string): Promise<{ afterLate: number[]; all: number[] }> {
  await q(`CREATE TABLE ${source} (id int PRIMARY KEY, updated_at timestamptz NOT NULL, v text)`);
  await q(`INSERT INTO ${source} VALUES (1, '2024-01-01T10:00:00Z', 'a'), (2, '2024-01-01T10:05:00Z', 'b')`);
  const file = p.write(`${name}/p.etl.yaml`, pipelineText(name, source, target, lag));
  const first = await run(file);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  // A writer holds row 3 (stamped 10:07) uncommitted while row 4 (10:08) commits and is read.
  const writer = new pg.Client({ connectionString: cluster.url });
  await writer.connect();
  try {
    await writer.query("BEGIN");
    await writer.query(`INSERT INTO ${source} VALUES (3, '2024-01-01T10:07:00Z', 'late')`);
    await q(`INSERT INTO ${source} VALUES (4, '2024-01-01T10:08:00Z', 'd')`);
    const second = await run(file);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual(await ids(target), [1, 2, 4], "row 3 was not committed when the second run read");
    await writer.query("COMMIT");
  } finally {
    await writer.end();
  }
  const third = await run(file);
  assert.equal(third.code, 0, third.stdout + third.stderr);
  return { afterLate: await ids(target), all: await ids(source) };
}

describe("incremental lag (dist/cli.js, real PostgreSQL)", () => {
  it("without lag, a late-committed row is skipped for ever", async () => {
    const { afterLate } = await lateCommit("no_lag", "events_a", "copy_a", "");
    assert.deepEqual(afterLate, [1, 2, 4]);
  });

  it("with lag, the next run picks the late row up, exactly once in the merge target", async () => {
    const { afterLate, all } = await lateCommit("with_lag", "events_b", "copy_b", ", lag: 10m");
    assert.deepEqual(afterLate, all);
    const rows = await q<{ id: number; v: string; n: string }>("SELECT id::int AS id, v, count(*) OVER (PARTITION BY id) AS n FROM copy_b ORDER BY id");
    assert.deepEqual(rows.map((r) => [r.id, r.v, Number(r.n)]), [[1, "a", 1], [2, "b", 1], [3, "late", 1], [4, "d", 1]]);
  });

  it("after runs under writers committing out of order within the lag, the target equals the source", async () => {
    await q("CREATE TABLE events_c (id int PRIMARY KEY, updated_at timestamptz NOT NULL, v text)");
    const file = p.write("churn/p.etl.yaml", pipelineText("churn", "events_c", "copy_c", ", lag: 1h"));
    let next = 1;
    for (let round = 0; round < 3; round++) {
      const writer = new pg.Client({ connectionString: cluster.url });
      await writer.connect();
      try {
        // Each round: one writer holds an earlier-stamped row open across a run; others commit later rows; updates move rows forward.
        await writer.query("BEGIN");
        await writer.query(`INSERT INTO events_c VALUES (${next++}, now() - interval '30 minutes', 'held ${round}')`);
        await q(`INSERT INTO events_c SELECT g, now(), 'r${round}' FROM generate_series(${next}, ${next + 4}) g`);
        next += 5;
        await q(`UPDATE events_c SET v = v || '+', updated_at = now() WHERE id % 3 = ${round % 3}`);
        const mid = await run(file);
        assert.equal(mid.code, 0, mid.stdout + mid.stderr);
        await writer.query("COMMIT");
      } finally {
        await writer.end();
      }
    }
    const last = await run(file);
    assert.equal(last.code, 0, last.stdout + last.stderr);
    const source = await q("SELECT id::int AS id, v, updated_at FROM events_c ORDER BY id");
    const target = await q("SELECT id::int AS id, v, updated_at FROM copy_c ORDER BY id");
    assert.equal(target.length, next - 1);
    assert.deepEqual(target, source);
  });
});
