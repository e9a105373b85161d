import assert from "node:assert/strict";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { after, before, describe, it } from "node:test";
import { startS3, type TestS3 } from "../../support/s3";
import { putObjects } from "../s3/helpers";
import { project, runCli } from "../runner/helpers";
import { checkGenerated, loadsWithExtracts } from "./helpers";

const CUSTOMERS = "id,name,since\n1,Ann,2023-01-05\n2,\"Bob, Jr.\",2023-02-06\n3,Cé,2023-03-07\n";
const orders = (from: number, to: number) =>
  `order_id,amount,paid\n${Array.from({ length: to - from + 1 }, (_, i) => `${from + i},${(from + i) * 2.5},${(from + i) % 2 === 0}`).join("\n")}\n`;
const event = (id: number, at: string) => JSON.stringify({ id, at, payload: { k: id } });

const OBJECTS: Array<[string, string]> = [
  ["lake/customers.csv", CUSTOMERS],
  ["lake/orders/2024/01/part-1.csv", orders(1, 40)],
  ["lake/orders/2024/02/part-2.csv", orders(41, 75)],
  ["lake/events/dt=2024-01-01/events.jsonl", `${event(1, "2024-01-01T08:00:00Z")}\n${event(2, "2024-01-01T09:00:00Z")}\n`],
  ["lake/events/dt=2024-01-02/events.jsonl", `${event(3, "2024-01-02T08:00:00Z")}\n`],
  ["lake/raw/clicks/a.jsonl", `${JSON.stringify({ url: "/a", n: 1 })}\n`],
  ["lake/raw/clicks/b.jsonl", `${JSON.stringify({ url: "/b", n: 2 })}\n${JSON.stringify({ url: "/c", n: 3 })}\n`],
  ["lake/README.txt", "not data"],
  ["elsewhere/ignored.csv", "a\n1\n"],
];

let s3: TestS3;
let bucket: string;
const dir = project("generate-s3");

before(async () => {
  s3 = await startS3();
  bucket = await s3.createBucket("gen");
  await putObjects(s3, bucket, OBJECTS);
});

after(async () => {
  await s3?.stop();
  dir.cleanup();
});

async function readJsonl(key: string): Promise<Record<string, unknown>[]> {
  const res = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = await (res.Body as { transformToString(): Promise<string> }).transformToString();
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("generate from an S3 prefix", () => {
  it("groups keys into datasets, infers types, and the run writes the right rows", async () => {
    const options = `?endpoint=${encodeURIComponent(s3.endpoint)}&region=${s3.region}&force_path_style=true`;
    const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region };
    const res = await runCli(["generate", "--from", `s3://${bucket}/lake${options}`, "--to", `s3://${bucket}/out${options}`, "-o", "lake.etl.yaml"], { cwd: dir.dir, env });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /AWS_ACCESS_KEY_ID/);
    const text = dir.read("lake.etl.yaml");
    const generated = checkGenerated(text, [], [s3.secretAccessKey]);
    const globs = Object.fromEntries(loadsWithExtracts(generated).map(({ load, extract }) => [String(extract.extract?.key), load.load?.key]));
    assert.deepEqual(globs, {
      "customers.csv": "customers.jsonl",
      "events/**/*.jsonl": "events.jsonl",
      "orders/**/*.csv": "orders.jsonl",
      "raw/clicks/*.jsonl": "raw_clicks.jsonl",
    });
    const casts = Object.fromEntries(generated.steps.filter((s) => s.transform).map((s) => [s.id, s.transform?.[0]]));
    assert.deepEqual(casts, {
      cast_customers: { cast: { id: "integer", since: "date" } },
      cast_events: { cast: { at: "timestamp" } },
      cast_orders: { cast: { order_id: "integer", amount: "number", paid: "boolean" } },
    });

    const run = await runCli(["run", "lake.etl.yaml"], { cwd: dir.dir, env });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await readJsonl("out/customers.jsonl"), [
      { id: 1, name: "Ann", since: "2023-01-05" },
      { id: 2, name: "Bob, Jr.", since: "2023-02-06" },
      { id: 3, name: "Cé", since: "2023-03-07" },
    ]);
    const orderRows = await readJsonl("out/orders.jsonl");
    assert.deepEqual(orderRows.map((r) => r.order_id), Array.from({ length: 75 }, (_, i) => i + 1));
    assert.deepEqual(orderRows[2], { order_id: 3, amount: 7.5, paid: false });
    assert.deepEqual(await readJsonl("out/events.jsonl"), [
      // The dt=… folders the dataset's glob crosses become a typed column (partition_columns).
      { id: 1, at: "2024-01-01T08:00:00.000Z", payload: { k: 1 }, dt: "2024-01-01" },
      { id: 2, at: "2024-01-01T09:00:00.000Z", payload: { k: 2 }, dt: "2024-01-01" },
      { id: 3, at: "2024-01-02T08:00:00.000Z", payload: { k: 3 }, dt: "2024-01-02" },
    ]);
    assert.deepEqual((await readJsonl("out/raw_clicks.jsonl")).map((r) => r.url), ["/a", "/b", "/c"]);
  });

  it("generates from a local folder into ./out by default", async () => {
    dir.write("data/customers.csv", CUSTOMERS);
    dir.write("data/orders/2024/01/part-1.csv", orders(1, 3));
    const res = await runCli(["generate", "--from", "data", "-o", "local.etl.yaml", "--include", "orders"], { cwd: dir.dir });
    assert.equal(res.code, 0, res.stderr);
    const text = dir.read("local.etl.yaml");
    assert.match(text, /No --to given: the data goes to the local folder \.\/out/);
    checkGenerated(text, []);
    const run = await runCli(["run", "local.etl.yaml"], { cwd: dir.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(dir.read("out/orders.jsonl").trim().split("\n").length, 3);
  });

  it("leaves out a file it cannot read as records, says why, and generates the rest", async () => {
    dir.write("mixed/good.csv", "id,name\n1,ann\n");
    dir.write("mixed/dup.csv", "id,id\n1,2\n");
    const res = await runCli(["generate", "--from", "mixed", "-o", "mixed.etl.yaml"], { cwd: dir.dir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /left out dup\.csv: .*`id` twice \(columns 1 and 2\)/);
    const text = dir.read("mixed.etl.yaml");
    assert.match(text, /path: good\.csv/);
    assert.doesNotMatch(text, /dup\.csv/);
  });
});
