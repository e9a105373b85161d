/** The `postgres` connection type: a PostgreSQL database (descriptor: sources/descriptor.ts). */
import { z } from "zod";
import { connectionTypeLiteral } from "../../pipeline/schemaParts";
import type { ConnectorDescriptor } from "../descriptor";
import { nonEmpty } from "../descriptor";

export const PostgresConnectionSchema = z
  .strictObject({
    type: connectionTypeLiteral("postgres", "A PostgreSQL database."),
    url: z.string().optional().meta({
      description: "Connection URL, `postgres://user@host:5432/db`. Keep the password out of the file: `postgres://app:${env:PG_PASSWORD}@db:5432/shop` or `${env:DATABASE_URL}`.",
      examples: ["${env:DATABASE_URL}"],
    }),
    host: z.string().optional().meta({ description: "Server host name or address (instead of `url`)." }),
    port: z.union([z.int().min(1).max(65535), z.string()]).optional().meta({ description: "Server port (default 5432).", default: 5432 }),
    database: z.string().optional().meta({ description: "Database name." }),
    user: z.string().optional().meta({ description: "User name." }),
    password: z.string().optional().meta({
      description: "Password. Use a reference, never a literal: `${env:PG_PASSWORD}` or `${file:/run/secrets/pg}`.",
      examples: ["${env:PG_PASSWORD}"],
    }),
    schema: z.string().optional().meta({ description: "Schema searched for unqualified table names (the search path), e.g. `analytics`." }),
    ssl: z.union([z.boolean(), z.literal("require")]).optional().meta({
      description: "TLS: `true` to use TLS when the server offers it, `require` to refuse plain connections, `false` to never use it.",
    }),
  })
  .meta({ description: "A PostgreSQL connection: give `url`, or `host`, `port`, `database`, `user` and `password`." });

export const postgresDescriptor: ConnectorDescriptor<typeof PostgresConnectionSchema> = {
  type: "postgres",
  noun: "a PostgreSQL database",
  schema: PostgresConnectionSchema,
  snippets: [{ label: "postgres", detail: "A PostgreSQL connection with the URL taken from the environment", body: ["${1:warehouse}:", "  type: postgres", "  url: \\${env:${2:DATABASE_URL}}", "  schema: ${3:public}", "$0"] }],
  secretKeys: ["password"],
  truncatesLongNames: true,
  keepsRunHistory: true,
  extract: {
    keys: ["table", "query", "columns", "incremental"],
    incremental: { own: ["column", "initial", "lag"], needs: ["column"] },
    oneOf: ["table", "query"],
    forms: [{ key: "query", form: "string", message: "a PostgreSQL `query` is SQL text (a string)" }],
    columnPaths: [["columns"], ["incremental", "column"]],
  },
  load: {
    keys: ["table", "mode", "key", "create", "on_schema_change", "rejected_table"],
    oneOf: ["table"],
    forms: [{ key: "key", form: "list-or-scalar", message: "a PostgreSQL `key` is a list of columns" }],
    columnPaths: [["key"]],
    streamsIn: true,
  },
  sql: { noun: "PostgreSQL" },
  place: (_connection, name, _baseDir, where) => `postgres:${name}:${where ?? "query"}`,
  analysis: {
    requests: ["catalog", "query-columns"],
    // `pg` reads PGPASSWORD and ~/.pgpass even when the file names no secret.
    localOnly: false,
    // No `url` and no `host` (e.g. `${env:DATABASE_URL}` set empty) would reach the driver's
    // defaults (localhost:5432): an editor does not guess, it leaves it unanalysed.
    addressed: (connection) => {
      const c = connection as { url?: string; host?: string };
      return (c.url ?? "").trim() !== "" || (c.host ?? "").trim() !== "";
    },
    connectionRequest: { kind: "catalog" },
    stepRequest: (extract) => (typeof extract.query === "string" ? { kind: "query-columns", query: extract.query } : undefined),
    liveRequest: (extract) => {
      if (nonEmpty(extract["table"])) return { kind: "catalog" };
      const query = nonEmpty(extract["query"]);
      // Analysis renders a query's templates as placeholder literals to describe it.
      return query ? { kind: "query-columns", query } : undefined;
    },
    cacheTtlSeconds: 300,
    analyzer: async () => {
      const pg = await import("./analyze.js");
      return (ctx, request) => (request.kind === "query-columns" ? pg.describeQuery(ctx, request.query) : pg.analyzePostgresCatalog(ctx));
    },
  },
  tableKey: "table",
  generate: {
    schemes: ["postgres", "postgresql"],
    example: "a postgres:// URL",
    locate: async (text, options) => (await import("./generation.js")).locatePostgres(text, options),
  },
  connector: async () => (await import("./index.js")).postgresConnector,
};
