/** The `duckdb` connection type: a DuckDB database file (descriptor: sources/descriptor.ts). */
import { resolve } from "node:path";
import { z } from "zod";
import { connectionTypeLiteral } from "../../pipeline/schemaParts";
import type { ConnectorDescriptor } from "../descriptor";
import { nonEmpty } from "../descriptor";

export const DuckdbConnectionSchema = z
  .strictObject({
    type: connectionTypeLiteral("duckdb", "A DuckDB database file."),
    path: z.string().optional().meta({
      description: "The database file, relative to the pipeline file's folder (default `./warehouse.duckdb`); a load creates it when missing.",
      default: "./warehouse.duckdb",
      examples: ["./warehouse.duckdb"],
    }),
  })
  .meta({ description: "A DuckDB database in one local file: nothing to start (needs the optional package `@duckdb/node-api`)." });

export const duckdbDescriptor: ConnectorDescriptor<typeof DuckdbConnectionSchema> = {
  type: "duckdb",
  noun: "a DuckDB database",
  schema: DuckdbConnectionSchema,
  snippets: [{ label: "duckdb", detail: "A DuckDB database file", body: ["${1:warehouse}:", "  type: duckdb", "  path: ${2:./warehouse.duckdb}", "$0"] }],
  secretKeys: [],
  extract: {
    keys: ["table", "query", "columns", "incremental"],
    incremental: { own: ["column", "initial", "lag"], needs: ["column"] },
    oneOf: ["table", "query"],
    forms: [{ key: "query", form: "string", message: "a DuckDB `query` is SQL text (a string)" }],
    columnPaths: [["columns"], ["incremental", "column"]],
  },
  load: {
    keys: ["table", "mode", "key", "create"],
    oneOf: ["table"],
    forms: [{ key: "key", form: "list-or-scalar", message: "a DuckDB `key` is a list of columns" }],
    columnPaths: [["key"]],
    streamsIn: true,
  },
  sql: { noun: "DuckDB" },
  place: (connection, _name, baseDir, where) => `duckdb:${resolve(baseDir, (connection as { path?: string }).path ?? "./warehouse.duckdb")}:${where ?? "query"}`,
  analysis: {
    requests: ["catalog", "query-columns"],
    // A local file opened read-only, its queries denied any other file.
    localOnly: true,
    addressed: () => true,
    connectionRequest: { kind: "catalog" },
    stepRequest: (extract) => (typeof extract.query === "string" ? { kind: "query-columns", query: extract.query } : undefined),
    liveRequest: (extract) => {
      if (nonEmpty(extract["table"])) return { kind: "catalog" };
      const query = nonEmpty(extract["query"]);
      return query ? { kind: "query-columns", query } : undefined;
    },
    cacheTtlSeconds: 30,
    analyzer: async () => (await import("./analyze.js")).analyzeDuckdb,
  },
  tableKey: "table",
  connector: async () => (await import("./index.js")).duckdbConnector,
};
