/**
 * `agent-etl preview` (dist/cli.js) of an S3 extract that globs many objects, against a real
 * S3-compatible server: it reads the first object only (the second is not even valid CSV, so a
 * read of it would fail), says so in its notes, writes nothing to the bucket, prints no key.
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startS3, type TestS3 } from "../../support/s3";
import { project, runCli } from "../runner/helpers";
import { putObjects } from "./helpers";

let s3: TestS3;
let bucket: string;
const p = project("preview-s3");

before(async () => {
  s3 = await startS3();
  bucket = await s3.createBucket("preview");
  const first = ["id,name", ...Array.from({ length: 30 }, (_, i) => `${i + 1},n${i + 1}`)].join("\n") + "\n";
  await putObjects(s3, bucket, [
    ["raw/2024-01-01.csv", first],
    ["raw/2024-01-02.csv", 'id,name\n"unterminated\n'],
  ]);
});

after(async () => {
  await s3?.stop();
  p.cleanup();
});

async function keys(): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key ?? "").sort();
}

describe("agent-etl preview of an S3 glob (dist/cli.js, real S3)", () => {
  it("reads one object, notes the others, and writes nothing", async () => {
    const c = s3.connection(bucket);
    p.write(
      "s3.etl.yaml",
      `version: 1
name: lake
connections:
  lake: { type: s3, bucket: ${bucket}, region: ${c.region}, endpoint: ${c.endpoint}, force_path_style: true, access_key_id: "\${env:S3_KEY}", secret_access_key: "\${env:S3_SECRET}" }
steps:
  - id: raw
    extract: { connection: lake, key: "raw/*.csv" }
  - id: upper
    depends_on: [raw]
    transform:
      - cast: { id: integer }
      - derive: { shout: "$uppercase(name)" }
  - id: back
    depends_on: [upper]
    load: { connection: lake, key: out/upper.csv }
`,
    );
    const before = await keys();
    const env = { S3_KEY: c.access_key_id, S3_SECRET: c.secret_access_key };
    const r = await runCli(["preview", "s3.etl.yaml", "--step", "back", "--limit", "100", "--format", "json"], { cwd: p.dir, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const got = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; truncated: boolean; notes: string[] };
    assert.equal(got.rows.length, 30);
    assert.deepEqual(got.rows[29], { id: 30, name: "n30", shout: "N30" });
    assert.equal(got.truncated, true, "the other object may hold more rows");
    assert.match(got.notes.join("\n"), /first of the 2 objects matching `raw\/\*\.csv`/);
    assert.deepEqual(await keys(), before, "nothing was written to the bucket");
    assert.ok(!r.stdout.includes(c.secret_access_key) && !r.stderr.includes(c.secret_access_key));
    // A run reads both objects and fails on the second: the preview's one-object read is what kept it out.
    const run = await runCli(["run", "s3.etl.yaml", "--step", "raw"], { cwd: p.dir, env });
    assert.equal(run.code, 1, run.stdout + run.stderr);
  });
});
