/** Time limits for analysis calls: the caller's signal and `timeoutMs` (default 10 s) both end the work. */
import { ConnectorError } from "../../errors";
import type { AnalyzeContext } from "./types";

const DEFAULT_TIMEOUT_MS = 10_000;

export function timeoutOf(ctx: AnalyzeContext): number {
  return Math.max(1, Math.round(ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS));
}

/**
 * Runs `work` with a signal that aborts at the time limit or when the caller's signal does; the
 * limit itself rejects with a transient `analysis-timeout`, whatever the work does on abort.
 */
export async function limited<T>(ctx: AnalyzeContext, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const ms = timeoutOf(ctx);
  let reject!: (err: unknown) => void;
  const stopped = new Promise<never>((_resolve, r) => (reject = r));
  const timer = setTimeout(() => {
    reject(new ConnectorError("analysis-timeout", `${what} (connection \`${ctx.connectionName}\`) got no answer within ${ms} ms`, true));
    controller.abort();
  }, ms);
  const onAbort = () => {
    reject(new ConnectorError("aborted", "analysis was stopped", false));
    controller.abort();
  };
  if (ctx.signal?.aborted) onAbort();
  else ctx.signal?.addEventListener("abort", onAbort, { once: true });
  const running = work(controller.signal);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, stopped]);
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener("abort", onAbort);
  }
}
