/**
 * Debounced diagnostics: each change restarts the document's timer, so a burst of edits is validated
 * once, for its last version; a result is dropped if a newer version arrived while it was computed.
 * When the timer fires, the run still waits one turn of the event loop: the JSON-RPC layer handles one
 * queued message per turn, so a change already received (but not yet handled, e.g. when the process
 * was starved of CPU) cancels the run instead of racing it.
 */
export class DiagnosticsScheduler {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly run: (uri: string) => Promise<void>,
    private readonly delayMs: number,
    /** A run that rejects (it should not: `run` reports its own failures) ends here, never unhandled. */
    private readonly onError: (uri: string, err: unknown) => void = () => undefined,
  ) {}

  schedule(uri: string, delayMs = this.delayMs): void {
    this.cancel(uri);
    const generation = (this.generation.get(uri) ?? 0) + 1;
    this.generation.set(uri, generation);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      setImmediate(() => {
        if (this.generation.get(uri) === generation) this.run(uri).catch((err: unknown) => this.onError(uri, err));
      });
    }, delayMs);
    this.timers.set(uri, timer);
  }

  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
    this.generation.set(uri, (this.generation.get(uri) ?? 0) + 1);
  }
}
