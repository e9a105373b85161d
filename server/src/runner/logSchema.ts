/**
 * One log line as the CLI writes it (pino JSON, `LOG_FORMAT=json`), defined once: the README's
 * log table lists exactly these fields (a test checks it) and a test parses every line of sample
 * runs with `logLineSchema`. Names are camelCase; pino's own fields (`level`, `time`, `pid`,
 * `hostname`, `msg`) aside. A field added to a log call must be added here and to the README.
 */
import { z } from "zod";

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();

/** pino's fields, on every line. */
export const PINO_FIELDS = { level: z.number().int(), time: z.number(), pid: z.number().int(), hostname: z.string().optional(), msg: z.string() } as const;

/** Every other field a line may have, and its type. */
export const LOG_FIELDS = {
  // which run, step and attempt a line is about
  runId: z.string(),
  stepId: z.string(),
  attempt: count,
  // the run's story (logEvents.ts: the run events, renamed)
  pipeline: z.string(),
  file: z.string(),
  ds: z.string(),
  steps: z.union([count, z.array(z.string()), z.record(z.string(), z.string())]),
  resume: z.boolean(),
  concurrency: count,
  staging: z.string(),
  kind: z.string(),
  rows: count,
  rowsPerSecond: z.number().nonnegative(),
  elapsedMs: ms,
  durationMs: ms,
  delayMs: ms,
  code: z.string(),
  error: z.string(),
  transient: z.boolean(),
  index: count,
  check: z.string(),
  severity: z.enum(["error", "warn"]),
  failed: count,
  message: z.string(),
  note: z.string(),
  policy: z.enum(["evolve", "ignore"]),
  changes: z.array(z.string()),
  rejected: count,
  maxRejected: z.string(),
  status: z.enum(["running", "succeeded", "failed"]),
  loaded: z.array(z.object({ step: z.string(), target: z.string(), rows: count })),
  // anomalies (step_anomaly), retention and notifications
  metric: z.enum(["rows", "duration"]),
  value: z.number(),
  median: z.number(),
  mad: z.number(),
  score: z.number(),
  runs: z.array(z.string()),
  notify: count,
  // validate
  problems: count,
  // connectors
  files: count,
  objects: count,
  pattern: z.string(),
  key: z.string(),
  table: z.string(),
  loadedTable: z.string(),
  loadedAt: z.string(),
  blockingPids: z.array(z.number().int()),
  request: z.string(),
  reason: z.string(),
  waitMs: ms,
  // preview, mcp
  preview: z.boolean(),
  tool: z.string(),
  // an error: type, message, stack (secrets scrubbed)
  err: z.union([z.string(), z.object({ type: z.string(), message: z.string() }).loose()]),
} as const;

const optionalFields = Object.fromEntries(Object.entries(LOG_FIELDS).map(([k, v]) => [k, v.optional()]));

/** One JSON log line: pino's fields, then any of LOG_FIELDS, nothing else. */
export const logLineSchema = z.object({ ...PINO_FIELDS, ...optionalFields }).strict();
