/**
 * Opens `pg` clients for a resolved postgres connection: `url` or host/port/database/user/password,
 * `ssl` (`true`: TLS when the server offers it, `require`: TLS or fail, `false`: never), `schema`
 * as the search path. Values come back as JSON-friendly records: bigints as numbers when they fit (else BigInts),
 * dates as `YYYY-MM-DD`, timestamps as ISO 8601 text (microseconds kept), numerics as text.
 */
import pg from "pg";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Connection } from "../../pipeline/model";
import type { PostgresConnectionSchema } from "./descriptor";
import { ConnectorError } from "../../errors";
import { sendCancelRequest, type CancelTarget } from "./cancel";
import { toConnectorError } from "./errors";

export type PostgresConnection = z.output<typeof PostgresConnectionSchema>;

const OID = { bytea: 17, int8: 20, date: 1082, timestamp: 1114, timestamptz: 1184, numeric: 1700, time: 1083, timetz: 1266, interval: 1186 } as const;

const identity = (value: string) => value;

function isoTimestamp(value: string): string {
  if (!/^\d{4}-\d\d-\d\d \d/.test(value)) return value; // infinity, BC dates
  const t = value.replace(" ", "T");
  return /[+-]\d\d$/.test(t) ? `${t}:00` : t;
}

/** A number when a double holds it exactly, else a BigInt: the same value, never rounded. */
function parseInt8(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

const PARSERS: Record<number, (value: string) => unknown> = {
  [OID.bytea]: identity,
  [OID.int8]: parseInt8,
  [OID.date]: identity,
  [OID.timestamp]: isoTimestamp,
  [OID.timestamptz]: isoTimestamp,
  [OID.numeric]: identity,
  [OID.interval]: identity,
};

export const typeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The secret values of a connection: its password and URL password, for scrubbing messages. */
export function connectionSecrets(connection: PostgresConnection, secrets: readonly string[]): string[] {
  const out = [...secrets];
  if (connection.password) out.push(connection.password);
  if (connection.url) {
    try {
      const password = decodeURIComponent(new URL(connection.url).password);
      if (password) out.push(password, encodeURIComponent(password));
    } catch {
      // not a URL; scrubSecrets still masks `scheme://user:pass@`
    }
  }
  return out;
}

function clientConfig(connection: PostgresConnection, ssl: boolean | "require"): pg.ClientConfig {
  const port = connection.port === undefined ? undefined : Number(connection.port);
  const config: pg.ClientConfig = {
    ...(connection.url ? { connectionString: connection.url } : {}),
    ...(connection.host ? { host: connection.host } : {}),
    ...(port !== undefined && Number.isFinite(port) ? { port } : {}),
    ...(connection.database ? { database: connection.database } : {}),
    ...(connection.user ? { user: connection.user } : {}),
    ...(connection.password ? { password: connection.password } : {}),
    connectionTimeoutMillis: 15_000,
    types: typeParsers,
    application_name: "agent-etl",
  };
  // libpq's `sslmode=require` encrypts without verifying the certificate; we do the same.
  if (ssl) config.ssl = { rejectUnauthorized: false };
  return config;
}

export interface OpenOptions {
  connection: Connection;
  secrets: readonly string[];
  signal?: AbortSignal;
}

/** Connects (retrying without TLS when `ssl: true` and the server has none) and sets the session up. */
export async function openClient(options: OpenOptions): Promise<pg.Client> {
  if (options.connection.type !== "postgres") throw new ConnectorError("postgres-connection", `connection type ${options.connection.type} is not postgres`);
  const connection = options.connection as PostgresConnection;
  const secrets = connectionSecrets(connection, options.secrets);
  if (options.signal?.aborted) throw new ConnectorError("aborted", "the step was stopped before it connected", false);
  let client: pg.Client;
  try {
    client = await connectOnce(clientConfig(connection, connection.ssl ?? false));
  } catch (err: unknown) {
    const noSsl = /does not support SSL/i.test((err as Error)?.message ?? "");
    if (connection.ssl === true && noSsl) {
      try {
        client = await connectOnce(clientConfig(connection, false));
      } catch (retryErr: unknown) {
        throw toConnectorError(retryErr, `could not connect to PostgreSQL (${where(connection)})`, secrets, "connect");
      }
    } else if (noSsl) {
      throw new ConnectorError("postgres-ssl", `PostgreSQL (${where(connection)}) does not accept TLS connections but the connection says \`ssl: require\`; enable TLS on the server or set \`ssl: true\`/\`false\``);
    } else {
      throw toConnectorError(err, `could not connect to PostgreSQL (${where(connection)})`, secrets, "connect");
    }
  }
  try {
    await client.query("SELECT set_config('datestyle', 'ISO, YMD', false), set_config('intervalstyle', 'iso_8601', false)");
    if (connection.schema) await client.query("SELECT set_config('search_path', $1, false)", [quoteForPath(connection.schema)]);
  } catch (err: unknown) {
    await client.end().catch(() => undefined);
    throw toConnectorError(err, "could not set up the PostgreSQL session", secrets, "connect");
  }
  // A stop while connecting would be missed by the caller's abort listener (added only now, to a
  // signal that has already fired): its statement would then run, and commit, after the stop.
  if (options.signal?.aborted) {
    await client.end().catch(() => undefined);
    throw new ConnectorError("aborted", "the step was stopped while it connected", false);
  }
  return client;
}

function quoteForPath(schema: string): string {
  return schema
    .split(",")
    .map((s) => `"${s.trim().replace(/^"|"$/g, "").replace(/"/g, '""')}"`)
    .join(", ");
}

async function connectOnce(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  // An error after connect (server gone) is reported by the next query; don't crash the process.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err: unknown) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/** host:port/database for messages (never the URL: it may hold a password). */
export function where(connection: PostgresConnection): string {
  if (connection.url) {
    try {
      const u = new URL(connection.url);
      return `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return "the connection's url";
    }
  }
  return `${connection.host ?? "localhost"}:${connection.port ?? 5432}/${connection.database ?? ""}`;
}

/** What node-postgres keeps of a connected client, beyond its typings. */
interface ClientInternals {
  processID?: number | null;
  secretKey?: number | null;
  host?: string;
  port?: number;
  connection?: { stream?: { destroy(): void; remoteAddress?: string; remotePort?: number } };
}

/** Where to send a CancelRequest for this client's backend: the very address its socket is connected to. */
function cancelTarget(c: ClientInternals): CancelTarget | undefined {
  const port = c.port ?? 5432;
  if (c.host?.startsWith("/")) return { path: `${c.host}/.s.PGSQL.${port}` };
  // The socket's remote address, not the host name: a name with several addresses could reach another server.
  const host = c.connection?.stream?.remoteAddress ?? c.host;
  return host === undefined ? undefined : { host, port: c.connection?.stream?.remotePort ?? port };
}

/**
 * Stops a client for good: asks the server to cancel the running statement, then closes the socket.
 * Closing alone is not enough: the backend notices a closed socket only when it next talks to the
 * client, so a long statement would run on, holding its locks, and a multi-statement request
 * would still commit after the step was reported stopped. Cancelled, the statement fails at once
 * and its transaction rolls back. The cancel goes out on its own connection and is bounded by a
 * timeout; if it cannot be delivered, the warning says the server may still finish the statement.
 */
export function killClient(client: pg.Client, logger?: Logger): void {
  const c = client as unknown as ClientInternals;
  const target = cancelTarget(c);
  if (typeof c.processID === "number" && typeof c.secretKey === "number" && target !== undefined) {
    void sendCancelRequest(target, c.processID, c.secretKey).then((outcome) => {
      if (!outcome.sent) logger?.warn({ backend_pid: c.processID, reason: outcome.reason }, "could not ask PostgreSQL to cancel the stopped step's statement; the server may still finish it");
    });
  }
  c.connection?.stream?.destroy();
}
