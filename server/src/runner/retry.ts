/** Runs one step attempt after another under its policy: a fresh AbortController (and timeout) per attempt. */
import { setTimeout as sleep } from "node:timers/promises";
import { ConnectorError } from "../errors";
import { retryDelay, type ResolvedPolicy } from "./policy";

export interface RetryHooks {
  /** Called before waiting for retry `attempt + 1`. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Aborts the waits and the running attempt (e.g. Ctrl-C). */
  signal?: AbortSignal;
  /** Attempt 1, already started (with `attemptOnce`) before the step officially started. */
  first?: Promise<unknown>;
}

/** Transient errors are worth another attempt; everything else fails the step at once. */
export function isTransient(err: unknown): boolean {
  return err instanceof ConnectorError && err.transient;
}

function timeoutError(ms: number): ConnectorError {
  return new ConnectorError("timeout", `the attempt took longer than its timeout (${ms} ms); raise the step's \`timeout\` or make the source faster`, true);
}

/** One attempt: rejects when `fn` does, or when the timeout fires even if `fn` ignores the signal. */
export async function attemptOnce<T>(fn: (signal: AbortSignal, attempt: number) => Promise<T>, attempt: number, policy: ResolvedPolicy, outer?: AbortSignal): Promise<T> {
  // A stop that came between two steps fires no event for this attempt: do not begin it.
  if (outer?.aborted) throw outer.reason;
  const controller = new AbortController();
  const abort = (reason: unknown) => controller.abort(reason);
  const onOuter = () => abort(outer?.reason);
  outer?.addEventListener("abort", onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  if (policy.timeoutMs !== undefined) {
    const ms = policy.timeoutMs;
    timer = setTimeout(() => abort(timeoutError(ms)), ms);
  }
  try {
    return await Promise.race([fn(controller.signal, attempt), aborted]);
  } finally {
    if (timer) clearTimeout(timer);
    outer?.removeEventListener("abort", onOuter);
    if (!controller.signal.aborted) controller.abort(new Error("attempt finished"));
  }
}

/** Runs `fn` up to `retries + 1` times; only transient errors are retried, after a backoff wait. */
export async function withRetries<T>(fn: (signal: AbortSignal, attempt: number) => Promise<T>, policy: ResolvedPolicy, hooks: RetryHooks = {}): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const running = attempt === 1 && hooks.first ? (hooks.first as Promise<T>) : attemptOnce(fn, attempt, policy, hooks.signal);
      return { value: await running, attempts: attempt };
    } catch (err: unknown) {
      if (hooks.signal?.aborted || !isTransient(err) || attempt > policy.retries) throw err;
      const delayMs = retryDelay(policy, attempt);
      hooks.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs, undefined, hooks.signal ? { signal: hooks.signal } : {});
    }
  }
}
