/**
 * The `--events` contract, defined once: the runner's event types are inferred from these schemas
 * and the VS Code extension parses the file with them (client/src/run/events.ts). Zod only, no Node
 * APIs: the extension's bundle imports this file.
 */
import { z } from "zod";

const runStatus = z.enum(["running", "succeeded", "failed"]);
const stepStatus = z.enum(["pending", "running", "succeeded", "failed", "skipped"]);
const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();
const checkSeverity = z.enum(["error", "warn"]);

/** Every event there is, keyed by its `event` name. */
export const EVENT_SHAPES = {
  run_started: { pipeline: z.string(), file: z.string(), ds: z.string(), steps: z.array(z.string()), resume: z.boolean(), concurrency: count, staging: z.string() },
  step_started: { step: z.string(), kind: z.string(), attempt: count },
  step_progress: { step: z.string(), rows: count, rows_per_second: z.number().nonnegative(), elapsed_ms: ms },
  step_retry: { step: z.string(), attempt: count, delay_ms: ms, code: z.string(), error: z.string() },
  check_passed: { step: z.string(), index: count, check: z.string(), kind: z.string(), severity: checkSeverity, rows: count },
  check_failed: {
    step: z.string(),
    index: count,
    check: z.string(),
    kind: z.string(),
    severity: checkSeverity,
    rows: count,
    failed: count,
    message: z.string(),
    samples: z.array(z.object({ row: count, record: z.record(z.string(), z.unknown()) })),
  },
  schema_changed: { step: z.string(), table: z.string(), policy: z.enum(["evolve", "ignore"]), changes: z.array(z.string()) },
  /** A transform's or extract's `on_error: quarantine`: the records (lines) it left out of `rows` (its input), and where they are; before its `step_succeeded` or `step_failed`. */
  rows_rejected: { step: z.string(), rows: count, rejected: count, max_rejected: z.string(), file: z.string() },
  step_succeeded: { step: z.string(), rows: count, duration_ms: ms, attempts: count },
  /** A step's rows or duration far from its history of successful runs (runner/history/anomaly.ts); after its `step_succeeded`. */
  step_anomaly: { step: z.string(), metric: z.enum(["rows", "duration"]), value: z.number(), median: z.number(), mad: z.number(), score: z.number(), message: z.string() },
  step_failed: { step: z.string(), code: z.string(), error: z.string(), attempts: count, duration_ms: ms, transient: z.boolean() },
  run_finished: { status: runStatus, duration_ms: ms, rows: count, steps: z.record(z.string(), stepStatus), loaded: z.array(z.object({ step: z.string(), target: z.string(), rows: count })) },
} as const;

export type EventName = keyof typeof EVENT_SHAPES;

/**
 * `run_finished.loaded`: a target a load of this invocation wrote (all-or-nothing: a failed load
 * wrote nothing), and its rows. `rows` of `run_finished` sums every step's rows; what reached the
 * targets is these. `target` as the dry-run plan names it: `file:<absolute path>`,
 * `postgres:<connection>:<table>`, `s3://bucket/key`.
 */
export type LoadedTarget = z.infer<(typeof EVENT_SHAPES)["run_finished"]["loaded"]>[number];
export const EVENT_NAMES = Object.keys(EVENT_SHAPES) as EventName[];

/** What the runner hands the bus: the event's own fields. */
type Shape<N extends EventName> = { event: N } & { [K in keyof (typeof EVENT_SHAPES)[N]]: z.infer<(typeof EVENT_SHAPES)[N][K]> };
export type RunEvent = { [N in EventName]: Shape<N> }[EventName];

/** Every line of the file carries these beside the event's fields. */
export const STAMP = { time: z.iso.datetime(), run_id: z.string() } as const;
export type Stamped = RunEvent & { time: string; run_id: string };

export function isEventName(name: unknown): name is EventName {
  return typeof name === "string" && Object.hasOwn(EVENT_SHAPES, name);
}

/** The schema of one line of the file for the event `name`, exactly as the runner writes it. */
export function stampedSchema(name: EventName) {
  return z.object({ event: z.literal(name), ...EVENT_SHAPES[name], ...STAMP }).strict();
}

/**
 * The same, for a reader that must keep working across versions: every field but `event` and `step`
 * may be missing (an older or newer runner), but a field that is present has the documented type.
 */
export function tolerantSchema(name: EventName) {
  return (tolerant[name] ??= buildTolerant(name)) as ReturnType<typeof buildTolerant>;
}

const tolerant: Partial<Record<EventName, unknown>> = {};

function buildTolerant(name: EventName) {
  const fields = z.object({ ...EVENT_SHAPES[name], ...STAMP }).partial();
  const step = "step" in EVENT_SHAPES[name] ? { step: z.string() } : {};
  return fields.extend({ event: z.literal(name), ...step });
}
