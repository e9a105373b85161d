/**
 * Follows a growing events file: reads what was appended since the last read, on a short poll (a
 * watcher alone misses writes on some file systems), and feeds complete lines to `onEvent`.
 */
import { open } from "node:fs/promises";
import { EventLineBuffer, isBadLine, type BadLine, type RunEvent } from "./events";

export class EventFileTail {
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private readonly buffer = new EventLineBuffer();

  constructor(
    private readonly file: string,
    private readonly onEvent: (e: RunEvent) => void,
    private readonly onBadLine: (b: BadLine) => void = () => undefined,
    private readonly everyMs = 150,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.everyMs);
  }

  /** Reads what is left, flushes a last unterminated line, and stops. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.poll();
    this.deliver(this.buffer.end());
  }

  private poll(): Promise<void> {
    this.reading = this.reading.then(() => this.readMore()).catch(() => undefined);
    return this.reading;
  }

  private async readMore(): Promise<void> {
    let handle;
    try {
      handle = await open(this.file, "r");
    } catch {
      return; // not created yet
    }
    try {
      const chunk = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.deliver(this.buffer.push(chunk.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  private deliver(items: (RunEvent | BadLine)[]): void {
    for (const item of items) if (isBadLine(item)) this.onBadLine(item); else this.onEvent(item);
  }
}
