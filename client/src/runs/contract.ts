/**
 * What `agent-etl runs FILE --format json` prints (`{"runs": [RUN, …]}`, newest first): the run
 * history's records, each with its steps. Read with a schema that tolerates a newer CLI (unknown
 * fields are dropped, lists the runner may leave out default to empty); anything else becomes an
 * error that says what was printed. Pure: no `vscode`.
 */
import { z } from "zod";

const count = z.number().nonnegative();
const nullableMs = z.number().nonnegative().nullable().default(null);

const anomalySchema = z.object({
  step: z.string(),
  metric: z.string(),
  value: z.number(),
  median: z.number(),
  mad: z.number(),
  score: z.number(),
  message: z.string(),
});

const stepSchema = z.object({
  id: z.string(),
  status: z.enum(["succeeded", "failed", "skipped", "running", "pending"]),
  rows_in: count.nullable().default(null),
  rows_out: count.nullable().default(null),
  duration_ms: nullableMs,
  attempts: count.default(0),
  checks: z.object({ passed: count, failed: count, warned: count }).default({ passed: 0, failed: 0, warned: 0 }),
  anomalies: z.array(anomalySchema).default([]),
  error: z.object({ message: z.string(), fix: z.string().nullable().default(null) }).nullable().default(null),
});

const runSchema = z.object({
  run_id: z.string(),
  pipeline: z.string(),
  file: z.string(),
  trigger: z.string(),
  status: z.enum(["running", "succeeded", "failed", "cancelled"]),
  started_at: z.string(),
  finished_at: z.string().nullable().default(null),
  duration_ms: nullableMs,
  rows_loaded: count.default(0),
  skipped_checks: z.boolean().default(false),
  anomalies: z.array(anomalySchema).default([]),
  steps: z.array(stepSchema),
});

export type Anomaly = z.infer<typeof anomalySchema>;
export type RunStep = z.infer<typeof stepSchema>;
export type Run = z.infer<typeof runSchema>;
export type RunStatus = Run["status"];
export type StepStatus = RunStep["status"];

/** The history folder beside a pipeline file, where local runs are recorded (watched for changes). */
export const HISTORY_FOLDER = ".etl/history";

/** How many recent runs the view lists per pipeline. */
export const RUNS_LIMIT = 20;

/** `agent-etl runs FILE --limit N --format json`. */
export function runsArgs(file: string, limit = RUNS_LIMIT): string[] {
  return ["runs", file, "--limit", String(limit), "--format", "json"];
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `\`${issue.path.join(".") || "output"}\`: ${issue.message}` : "it does not match the runs format";
}

function parseJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    const head = stdout.trim().slice(0, 120);
    throw new Error(head ? `the CLI printed something that is not JSON: ${head}` : "the CLI printed nothing");
  }
}

/** The runs of `agent-etl runs … --format json`, newest first. Throws with what is wrong. */
export function parseRuns(stdout: string): Run[] {
  const parsed = z.object({ runs: z.array(runSchema) }).safeParse(parseJson(stdout));
  if (!parsed.success) throw new Error(`the run history the CLI printed is not readable: ${issueText(parsed.error)}`);
  return parsed.data.runs;
}
