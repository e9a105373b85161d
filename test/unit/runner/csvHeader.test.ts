/**
 * CSV header names: one rule for the runner's reader, live analysis's sample and the writer. A name
 * given twice fails (a record cannot hold both values); an empty one becomes `column_N`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectorError } from "../../../server/src/errors";
import { readRecords, writeRecords, type CsvOptions } from "../../../server/src/sources/formats";
import { inferSample } from "../../../server/src/sources/s3/infer";
import type { DataRecord } from "../../../server/src/sources/types";

/** The text in chunks of 2 bytes, so a header is cut everywhere. */
async function* chunks(text: string): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += 2) yield bytes.subarray(i, i + 2);
}

async function read(csv: string, options: CsvOptions = {}): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of readRecords(chunks(csv), "csv", options, "data/orders.csv")) out.push(r);
  return out;
}

async function write(records: DataRecord[], options: CsvOptions = {}): Promise<string> {
  async function* from(): AsyncGenerator<DataRecord> {
    yield* records;
  }
  let text = "";
  for await (const c of writeRecords(from(), "csv", options)) text += typeof c === "string" ? c : new TextDecoder().decode(c);
  return text;
}

/** What live analysis makes of the same file: its column names. */
function sampledNames(csv: string, options: CsvOptions = {}): string[] {
  return inferSample(csv, { format: "csv", complete: true, csv: options, where: "data/orders.csv" }).columns.map((c) => c.name);
}

/** A rejection of a header: a non-retryable `bad-record` ConnectorError whose message matches every pattern. */
function refused(...patterns: RegExp[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ConnectorError, String(err));
    assert.equal(err.code, "bad-record");
    assert.equal(err.transient, false);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  };
}

describe("CSV header names", () => {
  it("refuses a name given twice, saying where, which name, both positions and how to fix it", async () => {
    await assert.rejects(
      read("id,id,\n1,2,3\n"),
      refused(
        new RegExp(
          "^data/orders\\.csv: the CSV header gives more than one column the same name, and a record cannot keep both values: `id` twice \\(columns 1 and 2\\)\\. " +
            "Give every column its own name in the file, or read it with `csv: \\{header: false\\}` \\(columns `column_1`, `column_2`, …; " +
            "the header line then comes as the first record: drop it with a `filter`\\) and name the columns with a `rename` transform$",
        ),
      ),
    );
  });

  it("compares names after trimming, and says so when only spaces told them apart", async () => {
    await assert.rejects(read(" id ,name,id\t\n1,Ann,2\n"), refused(/`id` twice \(columns 1 and 3, as ` id ` and `id\t`: spaces around a name do not count\)/));
  });

  it("lists every repeated name with all its positions", async () => {
    await assert.rejects(read("a,b,a,c,c,c\n1,2,3,4,5,6\n"), refused(/`a` twice \(columns 1 and 3\); `c` 3 times \(columns 4, 5 and 6\)\./));
  });

  it("refuses a repeated name in a header with no data rows too", async () => {
    await assert.rejects(read("id,id\n"), refused(/`id` twice/));
  });

  it("names an empty header column_N (N its position), in the middle and trailing, and keeps every value", async () => {
    const rows = await read("id,,name,\n1,2,Ann,3\n4,,Bo,\n");
    assert.deepEqual(rows, [
      { id: "1", column_2: "2", name: "Ann", column_4: "3" },
      { id: "4", column_2: null, name: "Bo", column_4: null },
    ]);
    assert.deepEqual(Object.values(rows[0] as DataRecord), ["1", "2", "Ann", "3"], "no value lost, in the file's order");
    // The case from the bug report: `id,` / `1,2` (a trailing delimiter on every line).
    assert.deepEqual(await read("id,\n1,2\n"), [{ id: "1", column_2: "2" }]);
    assert.deepEqual(await read("  ,x\n1,2\n"), [{ column_1: "1", x: "2" }], "a name of spaces only is empty");
  });

  it("accepts a header naming a column column_N itself when no unnamed column needs that name", async () => {
    assert.deepEqual(await read("column_1,x,\n1,2,3\n"), [{ column_1: "1", x: "2", column_3: "3" }]);
  });

  it("refuses an empty name whose column_N another column already has", async () => {
    await assert.rejects(
      read("column_3,x,\n1,2,3\n"),
      refused(/^data\/orders\.csv: .*: column 3 has no name, and `column_3`, the name an unnamed column gets, is already the name of column 1\. Give every column its own name/),
    );
    await assert.rejects(read("x,,column_2\n1,2,3\n"), refused(/column 2 has no name, and `column_2`, .* is already the name of column 3\./));
  });

  it("leaves header: false as it was: every line is data, columns column_1…, whatever the first line holds", async () => {
    assert.deepEqual(await read("id,id,\n1,2,3\n", { header: false }), [
      { column_1: "id", column_2: "id", column_3: null },
      { column_1: "1", column_2: "2", column_3: "3" },
    ]);
    assert.deepEqual(sampledNames("id,id,\n1,2,3\n", { header: false }), ["column_1", "column_2", "column_3"]);
  });

  it("gives live analysis the runner's column names, and the runner's error for a header it refuses", async () => {
    for (const csv of ["id,,name,\n1,2,Ann,3\n", " a ; b \n1;2\n", "column_1,x,\n1,2,3\n"]) {
      const options = csv.includes(";") ? { delimiter: ";" } : {};
      assert.deepEqual(sampledNames(csv, options), Object.keys((await read(csv, options))[0] as DataRecord), csv);
    }
    for (const csv of ["id,id,\n1,2,3\n", " id ,name,id\n1,Ann,2\n", "column_3,x,\n1,2,3\n"]) {
      const runner = await read(csv).then(
        () => assert.fail(`the runner accepted ${csv}`),
        (err: unknown) => err,
      );
      assert.throws(() => sampledNames(csv), (err: unknown) => err instanceof ConnectorError && err.code === "bad-record" && err.message === (runner as Error).message);
    }
  });

  it("writes an empty name as it is, which reads back as column_N, and checks nothing without a header", async () => {
    assert.deepEqual(await read(await write([{ "": 1, a: 2 }])), [{ column_1: "1", a: "2" }]);
    assert.equal(await write([{ " id": 1, id: 2 }], { header: false }), "1,2\n", "no header, nothing to read back");
  });

  it("refuses to write a header the reader would take for fewer columns", async () => {
    const writeRefused = (records: DataRecord[], pattern: RegExp) => assert.rejects(write(records), refused(pattern));
    await writeRefused([{ " id": 1, id: 2 }], /^the records' columns would not read back from a CSV header as distinct columns: `id` twice \(columns 1 and 2, as ` id` and `id`: spaces around a name do not count\); give them distinct names with a `rename` transform before this load$/);
    await writeRefused([{ column_2: 1, "": 2 }], /column 2 has no name, and `column_2`, the name an unnamed column gets, is already the name of column 1/);
  });
});
