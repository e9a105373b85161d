/**
 * `on_error: quarantine` on S3 extracts (a real S3-compatible server, test/support/s3.ts): lines
 * of CSV (gzipped too) and JSON Lines objects that do not parse go to the extract's `onBadLine`,
 * named by the object's `s3://` URL and their line, and the other records are read on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { Extract } from "../../../server/src/pipeline/model";
import type { BadLine } from "../../../server/src/sources/formats";
import { s3Connector } from "../../../server/src/sources/s3/connector";
import { startS3, type TestS3 } from "../../support/s3";
import { collect, context, putObjects } from "./helpers";

let s3: TestS3;
let bucket: string;

before(async () => {
  s3 = await startS3();
  bucket = await s3.createBucket("bad-lines");
  await putObjects(s3, bucket, [
    ["in/a.csv", "id,v\n1,x\n2,y,z\n3,w\n"],
    ["in/b.csv.gz", gzipSync('id,v\n4,"q"r\n5,s\n')],
    ["events.jsonl", '{"id":1}\n{"id":\n{"id":3}\n'],
  ]);
});

after(async () => {
  await s3Connector.close?.();
  await s3?.stop();
});

async function extract(key: string): Promise<{ records: unknown[]; bad: BadLine[] }> {
  const bad: BadLine[] = [];
  const result = await s3Connector.extract({ ...context(s3.connection(bucket)), extract: { connection: "lake", key } as Extract, onBadLine: (b) => bad.push(b) });
  return { records: await collect(result.records), bad };
}

describe("s3 extract under on_error: quarantine", () => {
  it("reads on past CSV lines that do not parse, in every object of a glob, gzipped too", async () => {
    const { records, bad } = await extract("in/*");
    assert.deepEqual(records, [{ id: "1", v: "x" }, { id: "3", v: "w" }, { id: "5", v: "s" }]);
    assert.deepEqual(bad.map((b) => [b.source, b.line, b.text]), [
      [`s3://${bucket}/in/a.csv`, 3, "2,y,z"],
      [`s3://${bucket}/in/b.csv.gz`, 2, '4,"q"r'],
    ]);
  });

  it("reads on past JSON Lines lines that are not JSON", async () => {
    const { records, bad } = await extract("events.jsonl");
    assert.deepEqual(records, [{ id: 1 }, { id: 3 }]);
    assert.deepEqual(bad.map((b) => [b.source, b.line, b.text]), [[`s3://${bucket}/events.jsonl`, 2, '{"id":']]);
    assert.match(bad[0]?.reason ?? "", /^not valid JSON/);
  });
});
