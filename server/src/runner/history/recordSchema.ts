/**
 * The run history's record, defined once: `agent-etl runs --format json` prints these, the stores
 * keep them, the MCP `runs` tool and the VS Code Runs view read them. Zod only, no Node APIs: the
 * extension's bundle may import this file.
 */
import { z } from "zod";

export const TRIGGERS = ["cli", "editor", "airflow", "mcp", "backfill"] as const;
export const RECORD_STATUSES = ["running", "succeeded", "failed", "cancelled"] as const;

const count = z.number().int().nonnegative();

export const anomalySchema = z.object({
  step: z.string(),
  metric: z.enum(["rows", "duration"]),
  value: z.number(),
  median: z.number(),
  mad: z.number(),
  score: z.number(),
  message: z.string(),
});

export const stepRecordSchema = z.object({
  id: z.string(),
  /** Added to the contract: what the step does. */
  kind: z.enum(["extract", "transform", "load", "sql"]),
  status: z.enum(["succeeded", "failed", "skipped", "running", "pending"]),
  rows_in: count.nullable(),
  rows_out: count.nullable(),
  duration_ms: z.number().nonnegative().nullable(),
  attempts: count,
  checks: z.object({ passed: count, failed: count, warned: count }),
  anomalies: z.array(anomalySchema),
  error: z.object({ message: z.string(), fix: z.string().nullable() }).nullable(),
});

export const runRecordSchema = z.object({
  run_id: z.string(),
  pipeline: z.string(),
  file: z.string(),
  trigger: z.enum(TRIGGERS),
  status: z.enum(RECORD_STATUSES),
  started_at: z.iso.datetime(),
  finished_at: z.iso.datetime().nullable(),
  duration_ms: z.number().nonnegative().nullable(),
  rows_loaded: count,
  skipped_checks: z.boolean(),
  anomalies: z.array(anomalySchema),
  steps: z.array(stepRecordSchema),
});

export type Trigger = (typeof TRIGGERS)[number];
export type Anomaly = z.infer<typeof anomalySchema>;
export type StepRecord = z.infer<typeof stepRecordSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;
export type RecordStatus = RunRecord["status"];
