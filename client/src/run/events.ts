/**
 * The runner's `--events` stream: one JSON object per line. Parsing is tolerant of field spellings
 * (`stepId`/`step`/`step_id`, `rows`/`records`…) so the extension keeps working as the runner grows,
 * and ignores event types it does not know. Pure: no `vscode`, no I/O.
 */

export type RunEventType = "run_started" | "step_started" | "step_progress" | "step_retry" | "step_succeeded" | "step_failed" | "run_finished";

export type RunEvent =
  | { type: "run_started"; runId: string | null; pipeline: string | null; steps: string[] | null; time: number | null }
  | { type: "step_started"; stepId: string; attempt: number | null; time: number | null }
  | { type: "step_progress"; stepId: string; rows: number | null; time: number | null }
  | { type: "step_retry"; stepId: string; attempt: number | null; error: string | null; delayMs: number | null; time: number | null }
  | { type: "step_succeeded"; stepId: string; rows: number | null; durationMs: number | null; time: number | null }
  | { type: "step_failed"; stepId: string; error: string | null; rows: number | null; time: number | null }
  | { type: "run_finished"; runId: string | null; status: "succeeded" | "failed" | "cancelled"; durationMs: number | null; steps: Record<string, FinalStepState> | null; time: number | null };

/** How the runner says a step ended, in `run_finished.steps`. */
export type FinalStepState = "pending" | "succeeded" | "failed" | "skipped";

/** A line that is not an event: kept so the caller can log it, never thrown. */
export interface BadLine {
  line: string;
  reason: string;
}

type Raw = Record<string, unknown>;

function pick(raw: Raw, ...names: string[]): unknown {
  for (const n of names) if (raw[n] !== undefined && raw[n] !== null) return raw[n];
  return undefined;
}
function str(v: unknown): string | null {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
}
function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
function errorText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v && typeof v === "object") {
    const o = v as Raw;
    const message = str(o.message);
    const code = str(o.code);
    return message ? (code ? `${code}: ${message}` : message) : code;
  }
  return null;
}
function time(raw: Raw): number | null {
  const t = pick(raw, "time", "ts", "timestamp", "at");
  if (typeof t === "number") return t;
  if (typeof t === "string") {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}
function rows(raw: Raw): number | null {
  const direct = num(pick(raw, "rows", "records", "rowCount", "row_count", "rowsWritten", "rows_written", "rowsOut", "rows_out", "count"));
  if (direct !== null) return direct;
  const stats = pick(raw, "stats", "metrics");
  return stats && typeof stats === "object" ? rows(stats as Raw) : null;
}
function finalStatus(raw: Raw): "succeeded" | "failed" | "cancelled" {
  const s = str(pick(raw, "status", "state", "result", "outcome"));
  if (s) {
    if (/^(succeeded|success|ok|passed|completed)$/i.test(s)) return "succeeded";
    if (/^(cancel+ed|aborted|interrupted)$/i.test(s)) return "cancelled";
    return "failed";
  }
  const ok = pick(raw, "ok", "success");
  if (typeof ok === "boolean") return ok ? "succeeded" : "failed";
  const failed = num(pick(raw, "failed", "failedSteps", "failed_steps"));
  return failed !== null && failed > 0 ? "failed" : "succeeded";
}

function finalSteps(v: unknown): Record<string, FinalStepState> | null {
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  const out: Record<string, FinalStepState> = {};
  for (const [id, s] of Object.entries(v as Raw)) {
    const state = str(typeof s === "object" && s !== null ? (s as Raw).status ?? (s as Raw).state : s);
    if (state === "succeeded" || state === "failed" || state === "skipped" || state === "pending") out[id] = state;
  }
  return out;
}

/** Turns one parsed JSON object into an event, or `undefined` for types we do not follow. */
export function toRunEvent(raw: Raw): RunEvent | undefined | BadLine {
  const type = str(pick(raw, "type", "event", "kind"));
  const stepId = str(pick(raw, "stepId", "step", "step_id", "id"));
  const t = time(raw);
  const needStep = (): BadLine => ({ line: JSON.stringify(raw), reason: `a ${type} event without a step id` });
  switch (type) {
    case "run_started": {
      const steps = pick(raw, "steps", "stepIds", "step_ids");
      return { type, runId: str(pick(raw, "runId", "run_id")), pipeline: str(pick(raw, "pipeline", "name", "dag")), steps: Array.isArray(steps) ? steps.map((s) => (typeof s === "string" ? s : str((s as Raw)?.id))).filter((s): s is string => s !== null) : null, time: t };
    }
    case "step_started":
      return stepId === null ? needStep() : { type, stepId, attempt: num(pick(raw, "attempt", "try")), time: t };
    case "step_progress":
      return stepId === null ? needStep() : { type, stepId, rows: rows(raw), time: t };
    case "step_retry":
      return stepId === null ? needStep() : { type, stepId, attempt: num(pick(raw, "attempt", "try", "nextAttempt")), error: errorText(pick(raw, "error", "message", "reason")), delayMs: num(pick(raw, "delayMs", "delay_ms", "delay")), time: t };
    case "step_succeeded":
      return stepId === null ? needStep() : { type, stepId, rows: rows(raw), durationMs: num(pick(raw, "durationMs", "duration_ms", "elapsedMs")), time: t };
    case "step_failed":
      return stepId === null ? needStep() : { type, stepId, error: errorText(pick(raw, "error", "message", "reason")), rows: rows(raw), time: t };
    case "run_finished":
      return { type, runId: str(pick(raw, "runId", "run_id")), status: finalStatus(raw), durationMs: num(pick(raw, "durationMs", "duration_ms", "elapsedMs")), steps: finalSteps(pick(raw, "steps")), time: t };
    default:
      return undefined;
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
