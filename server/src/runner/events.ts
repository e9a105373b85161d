/**
 * Run events (`--events FILE`, one JSON object per line) and their listeners (the terminal view).
 * Every event has `event`, `time` (ISO 8601) and `run_id`; messages in them are already scrubbed.
 * The events and their fields are defined once, in `eventSchema.ts`.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { RunEvent, Stamped } from "./eventSchema";

export type { LoadedTarget, RunEvent, Stamped } from "./eventSchema";

/**
 * Told to listeners only (the terminal view), never written to the events file, whose events stay
 * the spec's: a step's rows while it streams with its upstream before it has officially started,
 * and what a step is doing once all its rows are read (e.g. PostgreSQL merging them).
 */
export type LocalEvent =
  | { event: "step_streaming"; step: string; rows: number; rows_per_second: number; elapsed_ms: number }
  | { event: "step_phase"; step: string; note: string };

export type Heard = Stamped | (LocalEvent & { time: string; run_id: string });
export type Listener = (event: Heard) => void;

export class EventBus {
  private readonly listeners: Listener[] = [];
  private fd: number | undefined;

  constructor(private readonly runId: () => string) {}

  /** Appends events to a file (created or truncated now). Writes are synchronous: a killed run still leaves complete lines. */
  toFile(path: string): void {
    this.fd = openSync(path, "w");
  }

  on(listener: Listener): void {
    this.listeners.push(listener);
  }

  emit(event: RunEvent): void {
    const stamped = { ...event, time: new Date().toISOString(), run_id: this.runId() } as Stamped;
    if (this.fd !== undefined) writeSync(this.fd, JSON.stringify(stamped) + "\n");
    for (const l of this.listeners) l(stamped);
  }

  /** Tells the listeners, not the file. */
  tell(event: LocalEvent): void {
    const stamped = { ...event, time: new Date().toISOString(), run_id: this.runId() };
    for (const l of this.listeners) l(stamped);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
