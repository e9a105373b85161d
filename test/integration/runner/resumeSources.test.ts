/**
 * `--resume` after fixing the source data (dist/cli.js): an extract whose files or S3 objects
 * changed since they were staged is extracted again, and says so; one whose source cannot tell
 * (PostgreSQL) is reused, and the run says how to read it again. Real files, MinIO, PostgreSQL.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { startPostgres, type TestPostgres } from "../../support/postgres";
import { startS3, type TestS3 } from "../../support/s3";
import { project, readEvents, runCli, type CliResult } from "./helpers";

/** extract `source` → cast amount → load a JSONL file; a bad amount fails the cast. */
const pipeline = (name: string, connections: string, source: string) => `version: 1
name: ${name}
connections:
  out: { type: file }
${connections}
steps:
  - id: ex
    extract: ${source}
  - id: tr
    depends_on: [ex]
    transform:
      - cast: { amount: number }
  - id: ld
    depends_on: [tr]
    load: { connection: out, path: out/${name}.jsonl }
`;

const p = project("resume-sources");
after(() => p.cleanup());

/** The log lines' messages (LOG_FORMAT=json). */
function logMessages(r: CliResult): string[] {
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => String((JSON.parse(l) as { msg?: unknown }).msg ?? ""));
}

/** Runs the CLI with an events file; returns the result and the steps that started. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult & { started: string[]; logs: string[] }> {
  const events = join(p.dir, `events-${Math.random().toString(36).slice(2)}.jsonl`);
  const r = await runCli(["run", ...args, "--events", events], { cwd: p.dir, env });
  const started = readEvents(events).filter((e) => e.event === "step_started").map((e) => String(e.step));
  return { ...r, started, logs: logMessages(r) };
}

describe("--resume and changed source files", () => {
  const file = p.write("files.etl.yaml", pipeline("files", "  raw: { type: file, root: ./data }", "{ connection: raw, path: 'orders_*.csv' }"));

  it("a data error's first hint is to fix the data and resume; resuming after the fix extracts the changed file again", async () => {
    p.write("data/orders_1.csv", "id,amount\n1,10\n");
    p.write("data/orders_2.csv", "id,amount\n2,x\n");
    const failed = await run([file, "--run-id", "f1"]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    const lines = failed.stdout.slice(failed.stdout.indexOf("✖ run f1 failed")).split("\n");
    assert.match(lines[0] ?? "", /^✖ run f1 failed at step tr: cast failed at row 2/);
    assert.match(lines[2] ?? "", /^ {2}fix the data \(or the pipeline\), then continue with: agent-etl run \S+files\.etl\.yaml --resume --run-id f1$/);
    assert.match(lines[3] ?? "", /^ {4}\(it extracts ex again if its source has changed since staged\)$/);
    assert.doesNotMatch(failed.stdout, /changed data in|--step ex/, "no stale-copy detour for a source --resume checks");

    // Unchanged source: only the failed step and the one after it run again.
    const same = await run([file, "--resume", "--run-id", "f1"]);
    assert.equal(same.code, 1);
    assert.deepEqual(same.started, ["tr"]);
    assert.deepEqual(same.logs.filter((m) => /source of|staged/.test(m)), []);

    p.write("data/orders_2.csv", "id,amount\n2,3\n"); // same size, new modification time
    // Steps named with --step are what runs, changed source or not (--step and --resume do not go together).
    const chosen = await run([file, "--step", "tr", "--run-id", "f1"]);
    assert.deepEqual(chosen.started, ["tr"]);
    const fixed = await run([file, "--resume", "--run-id", "f1"]);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.deepEqual(fixed.started, ["ex", "tr", "ld"]);
    assert.ok(fixed.logs.includes("source of `ex` changed since it was staged (orders_2.csv: modification time changed); extracting it again"), fixed.logs.join("\n"));
    assert.equal(p.read("out/files.jsonl"), '{"id":"1","amount":10}\n{"id":"2","amount":3}\n');
  });

  it("a file that grew, a new file and a removed one are changes too, each named", async () => {
    p.write("data/orders_2.csv", "id,amount\n2,y\n");
    assert.equal((await run([file, "--run-id", "f2"])).code, 1);
    p.write("data/orders_2.csv", "id,amount\n2,30\n");
    p.write("data/orders_3.csv", "id,amount\n3,4\n");
    rmSync(join(p.dir, "data/orders_1.csv"));
    const resumed = await run([file, "--resume", "--run-id", "f2"]);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.ok(resumed.logs.includes("source of `ex` changed since it was staged (orders_2.csv: size 14 → 15 bytes; orders_3.csv is new; orders_1.csv is gone); extracting it again"), resumed.logs.join("\n"));
    assert.equal(p.read("out/files.jsonl"), '{"id":"2","amount":30}\n{"id":"3","amount":4}\n');
  });
});

describe("--resume and a changed S3 object (MinIO, ETag)", () => {
  let s3: TestS3;
  let bucket: string;
  const env = () => ({ RS_S3_ENDPOINT: s3.endpoint, RS_S3_KEY: s3.accessKeyId, RS_S3_SECRET: s3.secretAccessKey });
  const put = (key: string, body: string) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  before(async () => {
    s3 = await startS3();
    bucket = await s3.createBucket("resume");
  });
  after(async () => s3?.stop());

  it("resuming after the object is fixed extracts it again, naming the ETag change", async () => {
    const lake = `  lake: { type: s3, bucket: ${bucket}, endpoint: "\${env:RS_S3_ENDPOINT}", region: us-east-1, force_path_style: true, access_key_id: "\${env:RS_S3_KEY}", secret_access_key: "\${env:RS_S3_SECRET}" }`;
    const file = p.write("s3.etl.yaml", pipeline("objects", lake, "{ connection: lake, key: raw/orders.csv }"));
    await put("raw/orders.csv", "id,amount\n1,10\n2,x\n");
    const failed = await run([file, "--run-id", "s1"], env());
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /\n {2}fix the data \(or the pipeline\), then continue with: agent-etl run \S+ --resume --run-id s1\n {4}\(it extracts ex again/);

    await put("raw/orders.csv", "id,amount\n1,10\n2,3\n"); // same size: only the ETag tells
    const resumed = await run([file, "--resume", "--run-id", "s1"], env());
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.deepEqual(resumed.started, ["ex", "tr", "ld"]);
    assert.ok(resumed.logs.includes("source of `ex` changed since it was staged (raw/orders.csv: ETag changed); extracting it again"), resumed.logs.join("\n"));
    assert.equal(p.read("out/objects.jsonl"), '{"id":"1","amount":10}\n{"id":"2","amount":3}\n');
  });
});

describe("--resume and a database extract (PostgreSQL)", () => {
  let pg: TestPostgres;
  let url: string;
  before(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase("resume_sources");
    await pg.query("CREATE TABLE orders (id int, amount text); INSERT INTO orders VALUES (1, '10'), (2, 'x')", [], "resume_sources");
  });
  after(async () => pg?.stop());

  it("says it reuses the staged copy and how to read the table again; that command does", async () => {
    const file = p.write("db.etl.yaml", pipeline("rows", '  db: { type: postgres, url: "${env:RS_PG_URL}" }', "{ connection: db, table: orders }"));
    const env = { RS_PG_URL: url };
    const failed = await run([file, "--run-id", "d1"], env);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /\n {2}fix the data \(or the pipeline\), then continue with: agent-etl run \S+ --resume --run-id d1\n {2}changed data in ex's source\? --resume reuses what it staged \(its source cannot say whether it changed\); read it again with a fresh run: agent-etl run \S+db\.etl\.yaml\n {4}or re-run from that extract: agent-etl run (\S+ --run-id d1 --step ex --step tr --step ld)\n?$/);
    const hinted = /re-run from that extract: agent-etl run (\S+ --run-id d1 --step ex --step tr --step ld)/.exec(failed.stdout)?.[1] as string;

    await pg.query("UPDATE orders SET amount = '3' WHERE id = 2", [], "resume_sources");
    const resumed = await run([file, "--resume", "--run-id", "d1"], env);
    assert.equal(resumed.code, 1, "the staged copy still has the bad value");
    assert.deepEqual(resumed.started, ["tr"]);
    const note = resumed.logs.find((m) => m.startsWith("`ex`: "));
    assert.match(note ?? "", /^`ex`: a PostgreSQL database cannot tell whether its data changed, so --resume reuses what it staged at \d{4}-\d\d-\d\dT[\d:.]+Z; to read the source again, start a fresh run \(agent-etl run \S+db\.etl\.yaml\) or re-run from it: agent-etl run \S+ --run-id d1 --step ex --step tr --step ld$/);

    const rerun = await run(hinted.split(" "), env);
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    assert.deepEqual(rerun.started, ["ex", "tr", "ld"]);
    assert.equal(p.read("out/rows.jsonl"), '{"id":1,"amount":10}\n{"id":2,"amount":3}\n');
  });
});
