/**
 * Turns `pg` and socket errors into `ConnectorError`s: connection loss, server shutdown and
 * serialization failures are transient (the runner retries them); everything else is permanent
 * with a hint on what to fix, chosen by SQLSTATE and by what the caller was doing (errorHints.ts).
 * Messages never hold the connection string or password.
 */
import { ConnectorError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { hintFor, type PgErrorContext } from "./errorHints";

export type { PgErrorContext } from "./errorHints";

const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);
/** 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections, 40001/40P01 serialization/deadlock, 55P03 lock not available. */
const TRANSIENT_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "40001", "40P01", "55P03"]);

export interface PgErrorLike {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

function isTransientPgError(err: unknown): boolean {
  const e = err as PgErrorLike | undefined;
  const code = e?.code ?? "";
  if (TRANSIENT_NODE_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith("08")) return true;
  const message = e?.message ?? "";
  return /Connection terminated|connection error and is not queryable|Client was closed|timeout expired|socket hang up/i.test(message);
}

/**
 * Wraps any error from `pg` as a scrubbed ConnectorError. `what` starts the message (what we were
 * doing); `context` picks the hint, which must fit it: `create: true` only helps a load, a `cast`
 * transform only helps records being loaded.
 */
export function toConnectorError(err: unknown, what: string, secrets: readonly string[], context: PgErrorContext): ConnectorError {
  if (err instanceof ConnectorError) return new ConnectorError(err.code, scrubSecrets(err.message, secrets), err.transient, { cause: err });
  const e = (err ?? {}) as PgErrorLike;
  const code = e.code ?? "";
  const transient = isTransientPgError(err);
  const parts = [`${what}: ${e.message ?? String(err)}`];
  if (e.detail) parts.push(`(${e.detail})`);
  // "COPY _agent_etl_stage, line 7, column amount: \"x\"": the line is the record's number.
  if (e.where && /COPY/.test(e.where)) parts.push(`at ${e.where.replace(/^COPY [^,]+, line (\d+)/, "record $1")}`);
  const hint = hintFor(code, context);
  // Whether it is retried is the caller's to say (the runner retries; analysis and generate report it).
  if (transient) parts.push("(transient: trying again may work)");
  else if (hint) parts.push(`— ${hint}`);
  else if (e.hint) parts.push(`— ${e.hint}`);
  const message = scrubSecrets(parts.join(" "), secrets);
  // The cause keeps the driver's error for debugging, with its message scrubbed too.
  const cause = err instanceof Error ? Object.assign(new Error(scrubSecrets(err.message, secrets)), { code }) : undefined;
  return new ConnectorError(code ? `postgres-${code}` : "postgres", message, transient, { cause });
}
