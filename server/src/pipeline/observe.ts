/**
 * The keys that watch runs rather than move data: where the run history lives (`history`), how
 * long runs are kept (`retention`), how unusual rows and durations are flagged (`anomaly`), and who
 * is told about a run (`notify`). Part of the pipeline format (model.ts).
 */
import { z } from "zod";

export const ANOMALY_MODES = ["warn", "fail", "off"] as const;
export const NOTIFY_EVENTS = ["failure", "anomaly", "success", "check_failed"] as const;
export const AGE_PATTERN = "^[0-9]+(h|d)$";
/** The robust z-score past which a value is unusual, when `sensitivity` is not given. */
export const DEFAULT_SENSITIVITY = 3.5;
export const DEFAULT_KEEP_RUNS = 20;
export const DEFAULT_MAX_AGE = "30d";

export const HistorySchema = z
  .strictObject({
    connection: z.string().min(1).meta({ description: "A `postgres` connection whose database keeps the run history, shared by every machine that runs the pipeline (Airflow workers)." }),
    schema: z.string().min(1).max(63).optional().meta({ description: "The schema of the history tables (created on first use).", default: "agent_etl" }),
  })
  .meta({
    description: "Where runs are recorded. Default: `.etl/history/` beside the file. With a `postgres` connection, a table in that database (`agent_etl.runs`), so runs from many machines are listed in one place.",
  });

export const RetentionSchema = z
  .strictObject({
    keep_runs: z.int().min(1).max(100_000).optional().meta({ description: "Most runs kept (history and staged outputs); older ones are pruned after each run.", default: DEFAULT_KEEP_RUNS }),
    max_age: z.string().regex(new RegExp(AGE_PATTERN)).optional().meta({ description: "Runs started longer ago than this are pruned after each run, e.g. `30d`, `12h`.", default: DEFAULT_MAX_AGE, examples: ["30d", "72h"] }),
  })
  .meta({
    description: "How long runs are kept, applied after each run to the history and the staged outputs. A run that can still be resumed keeps its staged outputs, and the last successful run is always kept. Default `{keep_runs: 20, max_age: 30d}`.",
  });

const anomalyMode = z.enum(ANOMALY_MODES).meta({
  description: "`warn` (default): an unusual row count or duration is reported (summary, logs, `step_anomaly` event, history, notifications). `fail`: the run fails after the step. `off`: not checked.",
});

export const AnomalySchema = z
  .union([
    anomalyMode,
    z.strictObject({
      mode: anomalyMode.optional(),
      sensitivity: z.number().min(1).max(100).optional().meta({
        description: "How far (in robust standard deviations: median and MAD of the last 30 successful runs) a value must be from usual to be flagged. Higher flags less.",
        default: DEFAULT_SENSITIVITY,
      }),
    }),
  ])
  .meta({
    description: "Flags a step whose rows drop by 90% or more, or whose duration grows 5× or more, against its last successful runs (at least 5). `warn`, `fail`, `off`, or `{mode, sensitivity}`.",
    examples: ["warn", { mode: "fail", sensitivity: 5 }],
  });

export const NotifySchema = z
  .strictObject({
    on: z.array(z.enum(NOTIFY_EVENTS)).min(1).meta({ description: "What to tell: `failure` (the run failed), `anomaly`, `success`, `check_failed` (a check failed, even a `warn` one).", uniqueItems: true }),
    webhook: z.string().min(1).meta({ description: "The URL a JSON message (with a Slack-compatible `text`) is POSTed to, once per run. Keep tokens out of the file: `${env:SLACK_WEBHOOK_URL}`.", examples: ["${env:SLACK_WEBHOOK_URL}"] }),
    headers: z.record(z.string(), z.string()).optional().meta({ description: "Extra request headers, e.g. `Authorization: Bearer ${env:HOOK_TOKEN}`." }),
  })
  .meta({ description: "A webhook told about a run. Sent after the run, retried with backoff for at most 10 s; a failing webhook never fails the run." });

export type HistorySettings = z.output<typeof HistorySchema>;
export type RetentionSettings = z.output<typeof RetentionSchema>;
export type AnomalySettings = z.output<typeof AnomalySchema>;
export type NotifySettings = z.output<typeof NotifySchema>;

/** `max_age` in milliseconds. */
export function ageMs(age: string): number {
  const n = Number(age.slice(0, -1));
  return n * (age.endsWith("d") ? 86_400_000 : 3_600_000);
}
