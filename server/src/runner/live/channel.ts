/**
 * A bounded hand-over of record batches from a step to its single downstream consumer running in
 * the same process (see `liveRuns.ts`). The producer still stages its output as usual; the channel
 * is a tee beside it. The consumer sees every batch, then waits at the tail until the runner calls
 * `end()` — the moment the consumer step officially starts — so nothing it does (a COMMIT) can
 * become final before the upstream step has succeeded and the scheduler has reached it.
 */
import type { DataRecord } from "../../sources/types";
import type { Columns } from "../transforms";

type State = "open" | "ended" | "failed" | "detached";

export class BatchChannel implements AsyncIterable<DataRecord[]> {
  private readonly queue: DataRecord[][] = [];
  private state: State = "open";
  private error: unknown;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private columnsOf: () => Columns | undefined = () => undefined;

  constructor(private readonly capacity = 2) {}

  /** The upstream's attempt failed (even after the consumer had stopped reading): what the consumer did is void. */
  get failed(): boolean {
    return this.error !== undefined;
  }

  /** The producer's column types, as its staged meta will record them. */
  columns(): Columns | undefined {
    const c = this.columnsOf();
    return c && Object.keys(c).length > 0 ? c : undefined;
  }

  setColumns(getter: () => Columns | undefined): void {
    this.columnsOf = getter;
  }

  /** Hands a batch over; waits while the consumer is `capacity` batches behind. A gone consumer is ignored. */
  async push(batch: DataRecord[]): Promise<void> {
    if (this.state !== "open" || batch.length === 0) return;
    this.queue.push(batch);
    this.wake("consumer");
    while (this.queue.length >= this.capacity && this.state === "open") await new Promise<void>((resolve) => (this.wakeProducer = resolve));
  }

  /** The upstream step succeeded and the consumer may finish. */
  end(): void {
    if (this.state !== "open") return;
    this.state = "ended";
    this.wake("consumer");
  }

  /** The upstream attempt failed (or the consumer will never officially start): the consumer's read throws. */
  fail(error: unknown): void {
    if (this.state === "ended" || this.state === "failed") return;
    this.state = "failed";
    this.error = error ?? new Error("upstream failed");
    this.queue.length = 0;
    this.wake("consumer");
    this.wake("producer");
  }

  /** The consumer stopped reading: later pushes are dropped, the producer goes on alone. */
  detach(): void {
    if (this.state !== "open") return;
    this.state = "detached";
    this.queue.length = 0;
    this.wake("producer");
  }

  private wake(who: "consumer" | "producer"): void {
    const fn = who === "consumer" ? this.wakeConsumer : this.wakeProducer;
    if (who === "consumer") this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    fn?.();
  }

  private async next(): Promise<IteratorResult<DataRecord[]>> {
    for (;;) {
      if (this.state === "failed") throw this.error;
      const batch = this.queue.shift();
      if (batch !== undefined) {
        if (this.queue.length < this.capacity) this.wake("producer");
        return { done: false, value: batch };
      }
      if (this.state === "ended" || this.state === "detached") return { done: true, value: undefined };
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<DataRecord[]> {
    return {
      next: () => this.next(),
      return: async () => {
        this.detach();
        return { done: true, value: undefined };
      },
    };
  }
}
