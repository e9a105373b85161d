/**
 * `notify:` webhooks, told once per run after it ends: a JSON body with a Slack-compatible `text`
 * and the run's history record. Each is retried with backoff on network errors, 429 and 5xx, for
 * at most NOTIFY_BUDGET_MS in all; a webhook that cannot be reached is a warning in the log, never
 * a failed run. URLs and headers may hold `${env:}` secrets: they are resolved here, sent only in
 * the request line and headers, and scrubbed from the body and every message.
 */
import type { Logger } from "pino";
import { resolveRefs } from "../../env/resolve";
import { scrubSecrets } from "../../env/scrub";
import type { NOTIFY_EVENTS, NotifySettings } from "../../pipeline/observe";
import type { RunRecord } from "./recordSchema";

export const NOTIFY_BUDGET_MS = 10_000;
const ATTEMPT_TIMEOUT_MS = 4_000;
const ATTEMPTS = 3;
const FIRST_DELAY_MS = 250;

type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What about this run a webhook may be told. */
export function eventsOf(run: RunRecord): NotifyEvent[] {
  const events: NotifyEvent[] = [];
  if (run.status === "failed" || run.status === "cancelled") events.push("failure");
  if (run.status === "succeeded") events.push("success");
  if (run.anomalies.length > 0) events.push("anomaly");
  if (run.steps.some((s) => s.checks.failed + s.checks.warned > 0)) events.push("check_failed");
  return events;
}

/** The Slack-compatible line(s): what happened, then the anomalies and the failed step's error. */
export function messageText(run: RunRecord): string {
  const icon = run.status === "succeeded" ? "✅" : run.status === "running" ? "⏳" : "❌";
  const failed = run.steps.find((s) => s.status === "failed");
  const lines = [`${icon} ${run.pipeline}: run ${run.run_id} ${run.status}${failed ? ` at step ${failed.id}` : ""} (${run.rows_loaded.toLocaleString("en-US")} rows loaded)`];
  if (failed?.error) lines.push(`error: ${failed.error.message}`);
  for (const a of run.anomalies) lines.push(`anomaly: ${a.message}`);
  const checks = run.steps.filter((s) => s.checks.failed + s.checks.warned > 0).map((s) => `${s.id} (${s.checks.failed + s.checks.warned})`);
  if (checks.length > 0) lines.push(`failed checks: ${checks.join(", ")}`);
  return lines.join("\n");
}

export interface NotifyContext {
  env: ReadonlyMap<string, string>;
  baseDir: string;
  logger: Logger;
  /** Secrets of the run, scrubbed from the body with the webhooks' own. */
  secrets: readonly string[];
}

/** Sends every matching notification of the run; resolves when all are sent or given up (never rejects). */
export async function notifyRun(targets: readonly NotifySettings[] | undefined, run: RunRecord, ctx: NotifyContext): Promise<number> {
  const happened = new Set(eventsOf(run));
  const due = (targets ?? []).map((t, i) => ({ t, i })).filter(({ t }) => t.on.some((e) => happened.has(e)));
  const results = await Promise.all(due.map(({ t, i }) => sendOne(t, i, run, [...happened].filter((e) => t.on.includes(e)), ctx)));
  return results.filter(Boolean).length;
}

async function sendOne(target: NotifySettings, index: number, run: RunRecord, events: NotifyEvent[], ctx: NotifyContext): Promise<boolean> {
  const where = `notify[${index}]`;
  let resolved;
  try {
    resolved = resolveRefs({ webhook: target.webhook, headers: target.headers ?? {} }, where, ctx.env, ctx.baseDir);
  } catch (err: unknown) {
    ctx.logger.warn({ notify: index }, `${where} not sent: ${(err as Error).message}`);
    return false;
  }
  const secrets = [...resolved.secrets, ...ctx.secrets];
  const body = scrubSecrets(JSON.stringify({ text: messageText(run), events, run }), secrets);
  const deadline = Date.now() + NOTIFY_BUDGET_MS;
  let problem = "";
  for (let attempt = 1; attempt <= ATTEMPTS && Date.now() < deadline; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.min(FIRST_DELAY_MS * 2 ** (attempt - 2), Math.max(0, deadline - Date.now()))));
    try {
      const response = await fetch(resolved.value.webhook, {
        method: "POST",
        headers: { "content-type": "application/json", ...resolved.value.headers },
        body,
        signal: AbortSignal.timeout(Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now()))),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      problem = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) break;
    } catch (err: unknown) {
      problem = scrubSecrets(err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err), secrets);
    }
  }
  ctx.logger.warn({ notify: index }, `${where} could not be sent (${problem}); the run is not affected`);
  return false;
}
