/**
 * Says when a load waits on another session's lock, and on whose. Two merges into one table, a
 * `replace` during a long report, an open transaction in psql: the load's statement just waits,
 * for minutes, and the run looked hung. While the load's transaction is open, a second session
 * looks (after a short grace, then every few seconds) at `pg_blocking_pids` of the load's backend;
 * a new blocker is logged as a warning and shown as the step's phase, and the end of the wait too.
 * Works for every kind of lock (table locks of TRUNCATE, row locks of a conflicting merge).
 */
import type pg from "pg";
import type { Logger } from "pino";
import type { Connection } from "../../pipeline/model";
import { openClient } from "./client";

export interface LockWatchOptions {
  connection: Connection;
  secrets: readonly string[];
  /** The load's backend (node-postgres `client.processID`). */
  pid: number;
  /** The table, as shown to the user. */
  table: string;
  logger: Logger;
  onPhase?: (note: string) => void;
  /** First look after this long (a lock taken at once is the normal case): default 1 s. */
  graceMs?: number;
  /** Then every this long: default 2 s. */
  intervalMs?: number;
}

export interface Blocker {
  pid: number;
  application_name: string;
  state: string | null;
  /** ISO text: the session's type parsers read timestamptz as text. */
  query_start: string | null;
  xact_start: string | null;
}

/** The sessions `pid` waits for; never their query text (it may hold data or secrets). */
const BLOCKERS_SQL = `SELECT pid, application_name, state, query_start, xact_start
  FROM pg_stat_activity WHERE pid = ANY (pg_blocking_pids($1)) ORDER BY pid`;

/** `held by pid 123 (application_name "psql", idle in transaction, query started 2024-…Z)`. */
function describeBlockers(table: string, blockers: readonly Blocker[]): string {
  const who = blockers.map((b) => {
    const parts = [`application_name ${JSON.stringify(b.application_name ?? "")}`, ...(b.state ? [b.state] : []), ...(b.query_start ? [`query started ${b.query_start}`] : [])];
    return `pid ${b.pid} (${parts.join(", ")})`;
  });
  return `waiting for a lock on ${table} held by ${who.join(" and ")}; the load goes on when that session commits or rolls back`;
}

/** Starts watching; `stop()` ends it (and closes its session). Failures to watch are only logged. */
export function watchLockWaits(options: LockWatchOptions): { stop: () => Promise<void> } {
  let stopped = false;
  let client: pg.Client | undefined;
  let reported = "";
  let waitingSince: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function look(): Promise<void> {
    if (!client) {
      const opened = await openClient({ connection: options.connection, secrets: options.secrets });
      if (stopped) return void (await opened.end().catch(() => undefined));
      client = opened;
    }
    const blockers = (await client.query<Blocker>(BLOCKERS_SQL, [options.pid])).rows;
    const signature = blockers.map((b) => b.pid).join(",");
    if (signature === reported) return;
    reported = signature;
    if (blockers.length > 0) {
      waitingSince ??= Date.now();
      const message = describeBlockers(options.table, blockers);
      options.logger.warn({ table: options.table, blockingPids: blockers.map((b) => b.pid) }, message);
      options.onPhase?.(message);
    } else if (waitingSince !== undefined) {
      const note = `got the lock on ${options.table} after waiting ${Math.round((Date.now() - waitingSince) / 1000)} s; loading`;
      waitingSince = undefined;
      options.logger.info({ table: options.table }, note);
      options.onPhase?.(note);
    }
  }

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      look()
        .catch((err: unknown) => options.logger.debug({ err: (err as Error).message }, "cannot watch the load's lock waits"))
        .finally(() => {
          if (!stopped) schedule(options.intervalMs ?? 2_000);
        });
    }, ms);
    timer.unref?.();
  };
  schedule(options.graceMs ?? 1_000);

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
