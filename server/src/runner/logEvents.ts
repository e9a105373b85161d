/**
 * The run's log lines: one listener turns the bus's events into pino lines, so the log tells the
 * same story as `--events` and the terminal view (one source, no second set of log calls that
 * could drift). `msg` is the event's name; its fields are renamed to the log's camelCase names
 * (logSchema.ts). Each failure is logged here only, once: the step runner logs none itself.
 */
import type { Logger } from "pino";
import type { Heard } from "./events";

type Level = "trace" | "debug" | "info" | "warn" | "error";

/**
 * `step_progress` and the terminal-only events are detail; a step's failure is the one error line
 * (`run_finished` of a failed run stays at info: the failure was said); the rest is the story at info.
 */
function levelOf(e: Heard): Level {
  switch (e.event) {
    case "step_progress":
    case "step_phase":
      return "debug";
    case "step_streaming":
      return "trace";
    case "step_retry":
      return "warn";
    case "check_failed":
    case "step_anomaly":
    case "schema_changed":
      return "warn";
    case "rows_rejected":
      return e.rejected > 0 ? "warn" : "info";
    case "step_failed":
      return e.code === "interrupted" ? "warn" : "error";
    default:
      return "info";
  }
}

/** Event field → log field, where not simply snake_case → camelCase. */
const RENAMED: Record<string, string> = { step: "stepId", attempts: "attempt" };
/** Not logged: `event` is the message; `time`/`run_id` come from pino and the child logger; check samples are rows of data. */
const DROPPED = new Set(["event", "time", "run_id", "samples"]);

const camel = (key: string) => RENAMED[key] ?? key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

export function logFields(e: Heard): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e)) if (!DROPPED.has(key)) out[camel(key)] = value;
  return out;
}

/** A bus listener writing each event as a log line on `logger` (which carries `runId`). */
export function logListener(logger: Logger): (e: Heard) => void {
  return (e) => logger[levelOf(e)](logFields(e), e.event);
}
