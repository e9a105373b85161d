/**
 * The README's Parquet pipeline runs: CSV cast and written as Parquet by the CLI (the bundle, with
 * the snippet's compression), then read by DuckDB with the codec and the types the cast gave (and read back by our own extract the same way).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { project, ROOT, runCli } from "../runner/helpers";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const SNIPPET = [...README.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? "").find((text) => /name: orders_to_lake/.test(text));

const p = project("parquet-readme");
after(() => p.cleanup());

describe("the README's Parquet pipeline", () => {
  it("writes the cast columns as typed Parquet that DuckDB reads", async () => {
    assert.ok(SNIPPET, "README.md has no `name: orders_to_lake` pipeline");
    p.write("pipeline.etl.yaml", SNIPPET);
    p.write("data/orders.csv", "order_id,amount,ordered_at,status\n1,10.50,2024-01-03T10:00:00Z,paid\n2,123456789012345678.91,2024-01-04 11:00:00+02:00,open\n3,,2024-01-05T12:00:00.250Z,paid\n");
    const r = await runCli(["run", "pipeline.etl.yaml"], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    try {
      const codecs = await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${join(p.dir, "lake", "orders.parquet")}')`);
      assert.deepEqual(codecs.getRowObjectsJson(), [{ compression: /compression: (\w+)/.exec(SNIPPET)?.[1]?.toUpperCase() }], "the file is compressed as the snippet says");
      const reader = await duck.runAndReadAll(`SELECT typeof(order_id) AS id_type, order_id, typeof(amount) AS amount_type, amount::VARCHAR AS amount, epoch_ms(ordered_at) AS ms, status FROM read_parquet('${join(p.dir, "lake", "orders.parquet")}') ORDER BY order_id`);
      assert.deepEqual(reader.getRowObjectsJson(), [
        { id_type: "BIGINT", order_id: "1", amount_type: "DECIMAL(38,2)", amount: "10.50", ms: String(Date.parse("2024-01-03T10:00:00Z")), status: "paid" },
        { id_type: "BIGINT", order_id: "2", amount_type: "DECIMAL(38,2)", amount: "123456789012345678.91", ms: String(Date.parse("2024-01-04T09:00:00Z")), status: "open" },
        { id_type: "BIGINT", order_id: "3", amount_type: "DECIMAL(38,2)", amount: null, ms: String(Date.parse("2024-01-05T12:00:00.250Z")), status: "paid" },
      ]);
    } finally {
      duck.closeSync();
    }
  });
});
