/** Spaces requests to at most `perSecond` per second (one slot every 1000/perSecond ms). */
export class RateLimiter {
  private next = 0;

  constructor(private readonly perSecond: number | undefined) {}

  /** Waits for the next slot; rejects when the signal aborts. */
  async take(signal: AbortSignal): Promise<void> {
    if (!this.perSecond) return;
    const interval = 1000 / this.perSecond;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + interval;
    if (at > now) await delay(at - now, signal);
  }
}

export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
