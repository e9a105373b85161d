/**
 * The DuckDB engine, loaded on first use: `@duckdb/node-api` is an optional native dependency that
 * the bundles leave outside (scripts/buildOptions.mjs), so a build without it still runs every
 * other connector and says how to install it when a pipeline names a DuckDB connection.
 *
 * A database file admits one writing process at a time, and within a process one instance per
 * file: runs share an instance per file (closed by `closeDatabases`), analysis opens its own
 * read-only one and closes it at once, so the editor never holds the file's lock.
 */
import { resolve } from "node:path";
import type * as DuckDB from "@duckdb/node-api";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { ConnectorError } from "../../errors";
import type { Connection } from "../../pipeline/model";

type Api = typeof DuckDB;

export const DEFAULT_PATH = "./warehouse.duckdb";

let api: Promise<Api> | undefined;

/** The bindings; a clear error when they are not installed. */
export function duckdbApi(): Promise<Api> {
  api ??= import("@duckdb/node-api").catch((err: unknown) => {
    api = undefined;
    throw new ConnectorError(
      "duckdb-missing",
      "DuckDB connections need the package @duckdb/node-api (DuckDB's Node bindings), and it is not installed next to agent-etl. " +
        "Install it where agent-etl is installed: `npm install -g @duckdb/node-api` for a global agent-etl, or `npm install @duckdb/node-api` in the project that has agent-etl as a dependency",
      false,
      { cause: err },
    );
  });
  return api;
}

/** The database file of a connection: `path` relative to the pipeline file's folder. */
export function databasePath(connection: Connection, baseDir: string): string {
  const path = (connection as { path?: string }).path;
  return resolve(baseDir, path === undefined || path.trim() === "" ? DEFAULT_PATH : path);
}

const open = new Map<string, Promise<DuckDBInstance>>();

/** A connection to the file's shared read-write instance (created with the file when missing). */
export async function connectTo(path: string): Promise<DuckDBConnection> {
  let instance = open.get(path);
  if (!instance) {
    const { DuckDBInstance } = await duckdbApi();
    instance = DuckDBInstance.create(path).catch((err: unknown) => {
      open.delete(path);
      throw new ConnectorError("duckdb-open", `cannot open the DuckDB database ${path}: ${messageOf(err)}`, false, { cause: err });
    });
    open.set(path, instance);
  }
  return (await instance).connect();
}

/** Closes every instance runs opened, releasing the files' locks. */
export async function closeDatabases(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  for (const settled of await Promise.allSettled(all)) if (settled.status === "fulfilled") settled.value.closeSync();
}

/**
 * A read-only instance of its own with no access to other files (a query cannot read or write
 * anything but the database), for analysis; the caller closes it.
 */
export async function openReadOnly(path: string): Promise<DuckDBInstance> {
  const { DuckDBInstance } = await duckdbApi();
  try {
    return await DuckDBInstance.create(path, { access_mode: "READ_ONLY", enable_external_access: "false" });
  } catch (err: unknown) {
    throw new ConnectorError("duckdb-open", `cannot open the DuckDB database ${path} to analyse it: ${messageOf(err)}`, false, { cause: err });
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
