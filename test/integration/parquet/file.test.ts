/**
 * Parquet through the file connector on real files: every type round-trips, a file DuckDB wrote
 * (zstd) reads correctly, ours reads back in DuckDB with the same types, and a large file is read
 * in bounded memory (row group by row group).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import pino from "pino";
import type { Connection, Extract, Load } from "../../../server/src/pipeline/model";
import { fileConnector } from "../../../server/src/sources/file";
import { writeFileAtomic } from "../../../server/src/sources/file/atomicWrite";
import { writeParquet } from "../../../server/src/sources/formats/parquetWrite";
import { sampleFile } from "../../../server/src/sources/file/analysis";
import type { DataRecord, SourceContext } from "../../../server/src/sources/types";
import { collect, fromArray, READ_BACK, RECORDS, TYPES } from "./fixtures";

let dir: string;
let duck: DuckDBConnection;

function context(): SourceContext {
  return { connection: { type: "file", root: dir } as Connection, connectionName: "files", baseDir: dir, templates: { ds: "2024-01-02", ds_nodash: "20240102", ts: "2024-01-02T00:00:00+00:00", ts_nodash: "20240102T000000", run_id: "r", params: {} }, signal: new AbortController().signal, logger: pino({ level: "silent" }), secrets: [] };
}

async function load(path: string, records: DataRecord[], more: Partial<Load> = {}, columns: Record<string, string> | undefined = TYPES) {
  return fileConnector.load({ ...context(), load: { connection: "files", path, mode: "append", create: true, ...more } as Load, records: fromArray(records), ...(columns ? { columns: columns as typeof TYPES } : {}), runId: "r", stepId: "s" });
}

async function extract(path: string) {
  const result = await fileConnector.extract({ ...context(), extract: { connection: "files", path } as Extract });
  const records = await collect(result.records);
  return { records, columns: result.columns };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "parquet-file-"));
  duck = await (await DuckDBInstance.create(":memory:")).connect();
});

after(async () => {
  duck?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe("parquet files", () => {
  it("round-trips every type, with snappy, gzip, zstd and no compression", async () => {
    for (const compression of ["snappy", "gzip", "zstd", "none"] as const) {
      const path = `out/${compression}.parquet`;
      assert.deepEqual(await load(path, RECORDS, { compression }), { rows: 3 });
      const back = await extract(path);
      assert.deepEqual(back.records, READ_BACK);
      assert.deepEqual(back.columns, TYPES);
    }
  });

  it("infers the types of untyped columns from the first row group", async () => {
    await load("untyped.parquet", [{ n: 1, x: 1.5, s: "a", b: true, mixed: 1, o: { k: 1 } }, { n: 2, x: 2, s: "b", b: false, mixed: "two", o: null }], {}, undefined);
    const back = await extract("untyped.parquet");
    assert.deepEqual(back.columns, { n: "integer", x: "number", s: "string", b: "boolean", mixed: "json", o: "json" });
    assert.deepEqual(back.records, [{ n: 1, x: 1.5, s: "a", b: true, mixed: 1, o: { k: 1 } }, { n: 2, x: 2, s: "b", b: false, mixed: "two", o: null }]);
  });

  it("fails naming the row and column when a value does not fit its column's type", async () => {
    await assert.rejects(load("bad.parquet", [{ id: 1 }, { id: "x" }], {}, { id: "integer" }), /record 2: column `id` value "x" is not an integer; cast the column/);
  });

  it("reads a file DuckDB wrote (zstd), with its types", async () => {
    const path = join(dir, "duck.parquet");
    await duck.run(`COPY (SELECT i::INTEGER AS i32, (i * 10000000000)::BIGINT AS i64, (i / 8)::DECIMAL(10,3) AS d10, 12345678901234567890.123456::DECIMAL(38,6) AS d38,
      DATE '2024-01-01' + i::INTEGER AS day, TIMESTAMPTZ '2024-01-01 10:00:00.123456+00' + to_seconds(i) AS ts, i % 2 = 0 AS flag,
      CASE WHEN i = 2 THEN NULL ELSE 'n' || i END AS name, {'a': i, 'b': [1, 2]} AS obj, i::DOUBLE / 4 AS dbl
      FROM range(3) t(i)) TO '${path}' (FORMAT parquet, COMPRESSION zstd)`);
    const back = await extract("duck.parquet");
    assert.deepEqual(back.columns, { i32: "integer", i64: "integer", d10: "decimal", d38: "decimal", day: "date", ts: "timestamp", flag: "boolean", name: "string", obj: "json", dbl: "number" });
    assert.deepEqual(back.records[1], { i32: 1, i64: 10000000000, d10: "0.125", d38: "12345678901234567890.123456", day: "2024-01-02", ts: "2024-01-01T10:00:01.123456Z", flag: false, name: "n1", obj: { a: 1n, b: [1, 2] }, dbl: 0.25 });
    assert.equal(back.records[2]?.name, null);
    const analysed = await sampleFile({ connection: context().connection, connectionName: "files", baseDir: dir, secrets: [] }, { kind: "data-columns", key: "duck.parquet" });
    assert.equal(analysed.format, "parquet");
    assert.deepEqual(analysed.columns.find((c) => c.name === "d10"), { name: "d10", type: "decimal", nullable: true, sqlType: "DECIMAL(10,3)" });
    assert.ok(analysed.bytesRead < (await stat(path)).size + 1);
  });

  it("writes a file DuckDB reads back with the same types and values (gzip, zstd)", async () => {
    for (const compression of ["gzip", "zstd"] as const) {
      const path = join(dir, `ours-${compression}.parquet`);
      await load(`ours-${compression}.parquet`, RECORDS, { compression });
      const codecs = (await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`)).getRowObjectsJson();
      assert.deepEqual(codecs, [{ compression: compression.toUpperCase() }]);
      const reader = await duck.runAndReadAll(`SELECT id, big::VARCHAR AS big, typeof(price) AS price_type, price::VARCHAR AS price, ratio, ok, day::VARCHAR AS day, typeof("at") AS at_type, epoch_us("at") AS at_us, name, doc::VARCHAR AS doc
        FROM read_parquet('${path}') ORDER BY id NULLS LAST`);
      const rows = reader.getRowObjectsJson();
      assert.deepEqual(rows[1], { id: "1", big: "9007199254740993", price_type: "DECIMAL(38,2)", price: "12345678901234567890.12", ratio: 0.5, ok: true, day: "2024-02-29", at_type: "TIMESTAMP WITH TIME ZONE", at_us: String(Date.UTC(2024, 0, 31, 12) * 1000 + 123456), name: 'Zoë "q", ünï', doc: '{"a":[1,{"b":null}],"s":"x"}' });
      assert.deepEqual(rows[0]?.price, "-0.50");
      assert.equal(rows[2]?.id, null);
    }
  });

  it("reads a large file in bounded memory, row group by row group", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const rows = 200_000;
    async function* generated(): AsyncGenerator<DataRecord> {
      for (let i = 0; i < rows; i++) yield { id: i, name: `customer ${i} ${"x".repeat(i % 40)}`, amount: `${i}.25`, at: "2024-01-31T12:00:00Z" };
    }
    await writeFileAtomic(join(dir, "large.parquet"), writeParquet(generated(), { columns: { id: "integer", name: "string", amount: "decimal", at: "timestamp" }, rowGroupRows: 10_000 }));
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let seen = 0;
    const result = await fileConnector.extract({ ...context(), extract: { connection: "files", path: "large.parquet" } as Extract });
    for await (const record of result.records) {
      if (++seen % 50_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
      assert.equal(typeof record.id, "number");
    }
    assert.equal(seen, rows);
    // The same records held at once, for scale.
    gc();
    const held = await collect((await fileConnector.extract({ ...context(), extract: { connection: "files", path: "large.parquet" } as Extract })).records);
    gc();
    const all = process.memoryUsage().heapUsed - base;
    assert.equal(held.length, rows);
    assert.ok(peak < all / 3, `streaming peaked at ${Math.round(peak / 1e6)} MB over the baseline; holding every record takes ${Math.round(all / 1e6)} MB`);
  });
});
