/** Step policy: retries, backoff with jitter and timeouts, from `defaults` and the step's own keys. */
import type { Pipeline, Step } from "../pipeline/model";

export interface ResolvedPolicy {
  retries: number;
  retryDelayMs: number;
  backoff: "fixed" | "exponential";
  /** Undefined: no timeout. */
  timeoutMs?: number;
}

export const DEFAULT_POLICY: ResolvedPolicy = { retries: 0, retryDelayMs: 5_000, backoff: "exponential" };

/** Longest single wait between retries, whatever the backoff says. */
export const MAX_RETRY_DELAY_MS = 30 * 60_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s` → 30000. The schema has already checked the pattern. */
export function parseDuration(text: string): number {
  const m = /^([0-9]+)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`bad duration ${JSON.stringify(text)}`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] ?? 1);
}

/**
 * `AGENT_ETL_RETRIES`, when set to a whole number, replaces every step's retry count. Exported
 * Airflow DAGs set it to 0: Airflow retries the task, and retrying inside each try as well would
 * multiply the attempts and let `execution_timeout` cut the runner's own retries short.
 */
export function retriesOverride(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.AGENT_ETL_RETRIES;
  return raw !== undefined && /^[0-9]+$/.test(raw.trim()) ? Number(raw) : undefined;
}

export function resolvePolicy(pipeline: Pick<Pipeline, "defaults">, step: Step, env: NodeJS.ProcessEnv = process.env): ResolvedPolicy {
  const d = pipeline.defaults ?? {};
  const retries = retriesOverride(env) ?? step.retries ?? d.retries ?? DEFAULT_POLICY.retries;
  const delay = step.retry_delay ?? d.retry_delay;
  const timeout = step.timeout ?? d.timeout;
  const backoff = step.retry_backoff ?? d.retry_backoff ?? DEFAULT_POLICY.backoff;
  return {
    retries,
    retryDelayMs: delay !== undefined ? parseDuration(delay) : DEFAULT_POLICY.retryDelayMs,
    backoff,
    ...(timeout !== undefined ? { timeoutMs: parseDuration(timeout) } : {}),
  };
}

/**
 * Wait before retry number `retry` (1-based). Exponential doubles each time and takes "equal
 * jitter": half the delay fixed, half random, so parallel retries spread out but never collapse to 0.
 */
export function retryDelay(policy: ResolvedPolicy, retry: number, random: () => number = Math.random): number {
  if (policy.backoff === "fixed") return policy.retryDelayMs;
  const base = Math.min(policy.retryDelayMs * 2 ** (retry - 1), MAX_RETRY_DELAY_MS);
  return Math.round(base / 2 + random() * (base / 2));
}
