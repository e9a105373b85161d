/**
 * The runner's `--events` stream: one JSON object per line, read with the schema the runner writes
 * with (one contract, server/src/runner/eventSchema.ts). Event types this build does not know are
 * ignored, so the extension keeps working as the runner grows. Pure: no `vscode`, no I/O.
 */
import type { z } from "zod";
import { isEventName, tolerantSchema, type EventName, type Stamped } from "../../../server/src/runner/eventSchema";

export type RunEventType = "run_started" | "step_started" | "step_progress" | "step_retry" | "check_passed" | "check_failed" | "step_anomaly" | "step_succeeded" | "step_failed" | "run_finished";

export type RunEvent =
  | { type: "run_started"; runId: string | null; pipeline: string | null; steps: string[] | null; time: number | null }
  | { type: "step_started"; stepId: string; attempt: number | null; time: number | null }
  | { type: "step_progress"; stepId: string; rows: number | null; time: number | null }
  | { type: "step_retry"; stepId: string; attempt: number | null; error: string | null; delayMs: number | null; time: number | null }
  | { type: "check_passed"; stepId: string; check: string | null; time: number | null }
  | { type: "check_failed"; stepId: string; check: string | null; severity: "error" | "warn"; failed: number | null; message: string | null; time: number | null }
  | { type: "step_anomaly"; stepId: string; metric: "rows" | "duration" | null; message: string | null; time: number | null }
  | { type: "step_succeeded"; stepId: string; rows: number | null; durationMs: number | null; time: number | null }
  | { type: "step_failed"; stepId: string; error: string | null; rows: number | null; time: number | null }
  | { type: "run_finished"; runId: string | null; status: "succeeded" | "failed" | "cancelled"; durationMs: number | null; steps: Record<string, FinalStepState> | null; loaded: Loaded[] | null; time: number | null };

/** A target the run's loads wrote (`run_finished.loaded`): `file:<path>`, `postgres:<connection>:<table>`, `s3://…`. */
export interface Loaded {
  stepId: string;
  target: string;
  rows: number;
}

/** How the runner says a step ended, in `run_finished.steps`. */
export type FinalStepState = "pending" | "succeeded" | "failed" | "skipped";

/** A line that is not an event: kept so the caller can log it, never thrown. */
export interface BadLine {
  line: string;
  reason: string;
}

type Raw = Record<string, unknown>;

/** Events the extension has nothing to show for: the run summary in the terminal lists them. */
const NOT_SHOWN = new Set<EventName>(["schema_changed", "rows_rejected"]);

function time(iso: string | undefined): number | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** A field of the event the schema rejected, said the way a person reads it. */
function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `\`${issue.path.join(".") || "event"}\`: ${issue.message}` : "does not match the events schema";
}

/**
 * Turns one parsed JSON object into an event, `undefined` for event types this build does not
 * know (a newer runner), or a bad line. Fields follow the schema the runner writes with
 * (server/src/runner/eventSchema.ts); a field may be missing, never of another type.
 */
function toRunEvent(raw: Raw): RunEvent | undefined | BadLine {
  if (typeof raw.event !== "string") return { line: JSON.stringify(raw), reason: "not a run event: no `event` field" };
  if (!isEventName(raw.event) || NOT_SHOWN.has(raw.event)) return undefined;
  const parsed = tolerantSchema(raw.event).safeParse(raw);
  if (!parsed.success) {
    const noStep = parsed.error.issues.some((i) => i.path[0] === "step" && raw.step === undefined);
    return { line: JSON.stringify(raw), reason: noStep ? `a ${raw.event} event without a step id` : `a ${raw.event} event with a bad field, ${issueText(parsed.error)}` };
  }
  return fromSchema(parsed.data as Partial<Stamped> & { event: EventName });
}

type Of<N extends EventName> = Partial<Extract<Stamped, { event: N }>> & { event: N };

function fromSchema(e: Partial<Stamped> & { event: EventName }): RunEvent {
  const t = time(e.time);
  switch (e.event as Exclude<EventName, "schema_changed" | "rows_rejected">) {
    case "run_started": {
      const r = e as Of<"run_started">;
      return { type: r.event, runId: r.run_id ?? null, pipeline: r.pipeline ?? null, steps: r.steps ?? null, time: t };
    }
    case "step_started": {
      const r = e as Of<"step_started"> & { step: string };
      return { type: r.event, stepId: r.step, attempt: r.attempt ?? null, time: t };
    }
    case "step_progress": {
      const r = e as Of<"step_progress"> & { step: string };
      return { type: r.event, stepId: r.step, rows: r.rows ?? null, time: t };
    }
    case "step_retry": {
      const r = e as Of<"step_retry"> & { step: string };
      return { type: r.event, stepId: r.step, attempt: r.attempt ?? null, error: r.error ?? r.code ?? null, delayMs: r.delay_ms ?? null, time: t };
    }
    case "check_passed": {
      const r = e as Of<"check_passed"> & { step: string };
      return { type: r.event, stepId: r.step, check: r.check ?? null, time: t };
    }
    case "check_failed": {
      const r = e as Of<"check_failed"> & { step: string };
      // A runner that leaves the severity out is older than `warn`: its failed checks failed the step.
      return { type: r.event, stepId: r.step, check: r.check ?? null, severity: r.severity ?? "error", failed: r.failed ?? null, message: r.message ?? null, time: t };
    }
    case "step_anomaly": {
      const r = e as Of<"step_anomaly"> & { step: string };
      return { type: r.event, stepId: r.step, metric: r.metric ?? null, message: r.message ?? null, time: t };
    }
    case "step_succeeded": {
      const r = e as Of<"step_succeeded"> & { step: string };
      return { type: r.event, stepId: r.step, rows: r.rows ?? null, durationMs: r.duration_ms ?? null, time: t };
    }
    case "step_failed": {
      const r = e as Of<"step_failed"> & { step: string };
      return { type: r.event, stepId: r.step, error: r.error ?? r.code ?? null, rows: null, time: t };
    }
    case "run_finished": {
      const r = e as Of<"run_finished">;
      const steps = r.steps ? Object.fromEntries(Object.entries(r.steps).filter((s): s is [string, FinalStepState] => s[1] !== "running")) : null;
      // `loaded` null when the CLI did not say (an older one), so nobody reads "0 rows".
      const loaded = r.loaded ? r.loaded.map((l) => ({ stepId: l.step, target: l.target, rows: l.rows })) : null;
      return { type: r.event, runId: r.run_id ?? null, status: r.status === "succeeded" ? "succeeded" : "failed", durationMs: r.duration_ms ?? null, steps, loaded, time: t };
    }
  }
}

export function parseEventLine(line: string): RunEvent | undefined | BadLine {
  const trimmed = line.trim();
  if (trimmed === "") return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch (err: unknown) {
    return { line: trimmed, reason: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { line: trimmed, reason: "not a JSON object" };
  return toRunEvent(raw as Raw);
}

export function isBadLine(v: RunEvent | BadLine | undefined): v is BadLine {
  return v !== undefined && "reason" in v;
}

/**
 * Splits a growing stream into complete lines: a chunk may end mid-line (the runner is still
 * writing), and the tail is kept until its newline arrives. UTF-8 is decoded with a streaming
 * decoder so a multi-byte character split across reads survives.
 */
export class EventLineBuffer {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  /** Feeds bytes (or text) and returns the events and bad lines completed by them, in order. */
  push(chunk: Uint8Array | string): (RunEvent | BadLine)[] {
    this.pending += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    const parts = this.pending.split("\n");
    this.pending = parts.pop() ?? "";
    return parts.map(parseEventLine).filter((e): e is RunEvent | BadLine => e !== undefined);
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): (RunEvent | BadLine)[] {
    const rest = this.pending + this.decoder.decode();
    this.pending = "";
    const e = parseEventLine(rest);
    return e === undefined ? [] : [e];
  }
}
