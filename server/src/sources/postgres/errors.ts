/**
 * Turns `pg` and socket errors into `ConnectorError`s: connection loss, server shutdown and
 * serialization failures are transient (the runner retries them); everything else is permanent
 * with a hint on what to fix. Messages never hold the connection string or password.
 */
import { ConnectorError, scrubSecrets } from "../../errors";

const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);
/** 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections, 40001/40P01 serialization/deadlock, 55P03 lock not available. */
const TRANSIENT_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "40001", "40P01", "55P03"]);

const HINTS: Record<string, string> = {
  "28P01": "check the connection's user and password",
  "28000": "check the connection's user, password and the server's pg_hba.conf",
  "3D000": "check the connection's database name",
  "42P01": "check the table name, or let the load create it with `create: true`",
  "42703": "check the column names: the records and the table must agree (use `select`/`rename` transforms)",
  "42501": "grant the connection's user the needed privileges, or use another user",
  "3F000": "check the schema name, or create the schema",
  "23505": "the rows break a unique constraint; use `mode: merge` with `key`, or `dedupe` the records",
  "23502": "a required column got no value; fill it with a `derive` or `filter` transform",
  "25006": "an extract only reads; run statements that write in a `sql` step",
  "42601": "fix the SQL syntax",
};

export interface PgErrorLike {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

export function isTransientPgError(err: unknown): boolean {
  const e = err as PgErrorLike | undefined;
  const code = e?.code ?? "";
  if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith("08")) return true;
  const message = e?.message ?? "";
  return /Connection terminated|connection error and is not queryable|Client was closed|timeout expired|socket hang up/i.test(message);
}

/** Wraps any error from `pg` as a scrubbed ConnectorError; `what` says what we were doing. */
export function toConnectorError(err: unknown, what: string, secrets: readonly string[]): ConnectorError {
  if (err instanceof ConnectorError) return new ConnectorError(err.code, scrubSecrets(err.message, secrets), err.transient, { cause: err });
  const e = (err ?? {}) as PgErrorLike;
  const code = e.code ?? "";
  const transient = isTransientPgError(err);
  const parts = [`${what}: ${e.message ?? String(err)}`];
  if (e.detail) parts.push(`(${e.detail})`);
  // "COPY _agent_etl_stage, line 7, column amount: \"x\"": the line is the record's number.
  if (e.where && /COPY/.test(e.where)) parts.push(`at ${e.where.replace(/^COPY [^,]+, line (\d+)/, "record $1")}`);
  const hint = HINTS[code] ?? (code.startsWith("22") ? "a value does not fit its column's type; add a `cast` transform or fix the data" : undefined);
  // Whether it is retried is the caller's to say (the runner retries; analysis and generate report it).
  if (transient) parts.push("(transient: trying again may work)");
  else if (hint) parts.push(`— ${hint}`);
  else if (e.hint) parts.push(`— ${e.hint}`);
  const message = scrubSecrets(parts.join(" "), secrets);
  // The cause keeps the driver's error for debugging, with its message scrubbed too.
  const cause = err instanceof Error ? Object.assign(new Error(scrubSecrets(err.message, secrets)), { code }) : undefined;
  return new ConnectorError(code ? `postgres-${code}` : "postgres", message, transient, { cause });
}
