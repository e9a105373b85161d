/** A DuckDB database file per test file, read back through DuckDB itself. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Connection } from "../../../server/src/pipeline/model";
import { connectTo } from "../../../server/src/sources/duckdb/engine";

export interface TestDuckdb {
  dir: string;
  path: string;
  connection: Connection;
  /** Rows of a query as JSON values (DuckDB's own conversion). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  run(sql: string): Promise<void>;
  cleanup(): void;
}

export function testDuckdb(prefix: string): TestDuckdb {
  const dir = mkdtempSync(join(tmpdir(), `agent-etl-${prefix}-`));
  const path = join(dir, "warehouse.duckdb");
  const withConnection = async <T>(use: (c: Awaited<ReturnType<typeof connectTo>>) => Promise<T>): Promise<T> => {
    const c = await connectTo(path);
    try {
      return await use(c);
    } finally {
      c.closeSync();
    }
  };
  return {
    dir,
    path,
    connection: { type: "duckdb", path } as Connection,
    rows: (sql) => withConnection(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]),
    run: (sql) => withConnection(async (c) => void (await c.run(sql))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
