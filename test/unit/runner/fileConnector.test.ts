import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import pino from "pino";
import type { Connection, Extract, Load } from "../../../server/src/pipeline/model";
import { fileConnector } from "../../../server/src/sources/file";
import type { DataRecord } from "../../../server/src/sources/types";

const dir = mkdtempSync(join(tmpdir(), "etl-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const root = join(dir, "root");
mkdirSync(join(root, "in", "2024", "01"), { recursive: true });
writeFileSync(join(root, "in", "2024", "01", "a.csv"), "id,v\n1,x\n2,y\n");
writeFileSync(join(root, "in", "2024", "01", "b.jsonl"), '{"id":"3","v":"z"}\n');
writeFileSync(join(root, "in", "2024", "01", "skip.txt"), "no");
writeFileSync(join(dir, "outside.csv"), "id\n99\n");
symlinkSync(join(dir, "outside.csv"), join(root, "in", "link.csv"));
symlinkSync(dir, join(root, "escape"));

const templates = { ds: "2024-01-15", ds_nodash: "20240115", ts: "2024-01-15T00:00:00+00:00", ts_nodash: "20240115T000000", run_id: "r1", params: { month: "01" } };
const base = { connection: { type: "file", root: "root" } as Connection, connectionName: "files", baseDir: dir, templates, logger: pino({ level: "silent" }), secrets: [] };

async function extract(path: string): Promise<DataRecord[]> {
  const result = await fileConnector.extract({ ...base, signal: new AbortController().signal, extract: { connection: "files", path } as Extract });
  const out: DataRecord[] = [];
  for await (const r of result.records) out.push(r);
  return out;
}

async function* records(n: number, failAt?: number): AsyncGenerator<DataRecord> {
  for (let i = 1; i <= n; i++) {
    if (i === failAt) throw new Error("upstream broke");
    yield { i };
  }
}

function load(path: string, recs: AsyncIterable<DataRecord>) {
  return fileConnector.load({ ...base, signal: new AbortController().signal, load: { connection: "files", path, mode: "append", create: true } as Load, records: recs, runId: "r1", stepId: "s" });
}

describe("file connector", () => {
  it("reads a glob of mixed formats in sorted order, with templates", async () => {
    assert.deepEqual(await extract("in/2024/**/*.{csv,jsonl}"), [
      { id: "1", v: "x" },
      { id: "2", v: "y" },
      { id: "3", v: "z" },
    ]);
    assert.equal((await extract("in/2024/{{ params.month }}/a.csv")).length, 2);
  });

  it("refuses ../ escapes and symlinks out of the root", async () => {
    await assert.rejects(extract("../outside.csv"), /leaves the root of connection `files`/);
    await assert.rejects(extract("in/link.csv"), /symbolic link that leads out of the root/);
    await assert.rejects(extract("escape/outside.csv"), /symbolic link/);
    await assert.rejects(extract("in/**/*.csv"), /`in\/link.csv` goes through a symbolic link/);
    await assert.rejects(load("escape/new.csv", records(1)), /symbolic link/);
    await assert.rejects(load("../x.csv", records(1)), /leaves the root/);
  });

  it("says which file is missing and when a glob matches nothing", async () => {
    await assert.rejects(extract("in/nope.csv"), /file `in\/nope.csv` does not exist/);
    await assert.rejects(extract("in/**/*.parquet"), /no file under .* matches/);
  });

  it("loads all or nothing: a failing stream leaves the old file and no temporary file", async () => {
    const target = join(root, "out", "t.jsonl");
    assert.deepEqual(await load("out/t.jsonl", records(3)), { rows: 3 });
    const before = readFileSync(target, "utf8");
    assert.equal(before, '{"i":1}\n{"i":2}\n{"i":3}\n');
    await assert.rejects(load("out/t.jsonl", records(5000, 4000)), /upstream broke/);
    assert.equal(readFileSync(target, "utf8"), before);
    assert.deepEqual(readdirSync(join(root, "out")), ["t.jsonl"]);
  });
});
