/**
 * The pipeline format, version 1: the single source of truth. `schemas/pipeline.schema.json` is
 * generated from these schemas (`npm run schema`); a unit test fails when the two drift apart.
 * Descriptions are hover text: they are written for the person editing the file.
 */
import { z } from "zod";
import { duration } from "./schemaParts";
import { METRIC_PATTERN } from "./metrics";
import { AnomalySchema, HistorySchema, NotifySchema, RetentionSchema } from "./observe";
import { CONNECTION_SCHEMAS, CONNECTORS } from "../sources/registry";

export const IDENTIFIER_PATTERN = "^[a-z][a-z0-9_]{0,62}$";
export { DURATION_PATTERN } from "./schemaParts";
export const DATE_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
export const SCHEDULE_MACROS = ["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@once"] as const;
export const SCHEDULE_PATTERN = "^(@(hourly|daily|weekly|monthly|yearly|once)|[^\\s]+( +[^\\s]+){4})$";
/** A table name: templates are not filled in table names (the spec fills keys, paths, `query` texts and HTTP values). */
export const TABLE_PATTERN = "^(?![\\s\\S]*\\{\\{)[\\s\\S]+$";
export { METRIC_PATTERN } from "./metrics";

export const STEP_KINDS = ["extract", "transform", "load", "sql"] as const;
/** What a transform step does with a record whose op fails, and an extract with a line it cannot parse (`on_error`). */
export const ON_ERROR_POLICIES = ["fail", "quarantine"] as const;
/** `max_rejected` as a share of the step's input: `0.5%`. */
export const MAX_REJECTED_SHARE_PATTERN = "^[0-9]+(\\.[0-9]+)?%$";
export const COLUMN_TYPES = ["string", "integer", "number", "decimal", "boolean", "date", "timestamp", "json"] as const;
export const FILE_FORMATS = ["csv", "jsonl", "json", "parquet"] as const;
export const PARQUET_COMPRESSIONS = ["snappy", "gzip", "zstd", "none"] as const;
const LOAD_MODES = ["append", "replace", "merge"] as const;
const SCHEMA_CHANGE_POLICIES = ["fail", "evolve", "ignore"] as const;
export type SchemaChangePolicy = (typeof SCHEMA_CHANGE_POLICIES)[number];

export type StepKind = (typeof STEP_KINDS)[number];
export type ColumnType = (typeof COLUMN_TYPES)[number];

const identifier = (description: string) => z.string().regex(new RegExp(IDENTIFIER_PATTERN)).meta({ description });
const columnList = (description: string) => z.array(z.string().min(1)).min(1).meta({ description });

// ---------------------------------------------------------------------------------------------
// Step policy

const policyShape = {
  retries: z.int().min(0).max(20).meta({
    description: "How many times a failed step is tried again before the run fails (0–20). Only transient errors (timeouts, dropped connections, HTTP 429/5xx) are retried.",
    examples: [3],
  }),
  retry_delay: duration("Wait before the first retry, e.g. `30s`. With `exponential` backoff later waits double, with jitter."),
  timeout: duration("Longest time one attempt of a step may take before it is stopped and counted as failed, e.g. `10m`."),
  retry_backoff: z.enum(["fixed", "exponential"]).default("exponential").meta({
    description: "How the wait between retries grows: `fixed` waits `retry_delay` each time; `exponential` doubles it each retry, with jitter.",
  }),
};

const StepPolicySchema = z.strictObject(policyShape).partial().meta({
  description: "Retry and timeout policy applied to every step; a step's own `retries`, `retry_delay`, `timeout` and `retry_backoff` override it.",
});

// ---------------------------------------------------------------------------------------------
// Connections

/** One member per connection type, from the descriptors in `sources/registry.ts` (in their order). */
export const ConnectionSchema = z
  .discriminatedUnion("type", CONNECTION_SCHEMAS)
  .meta({
    description: `A data source or sink. \`type\` is one of ${CONNECTORS.map((d) => d.type).join(", ")}.`,
    discriminator: { propertyName: "type" },
    examples: [{ type: "file", root: "./data" }],
  });

// ---------------------------------------------------------------------------------------------
// Steps

const connectionRef = identifier("Name of the connection (under `connections:`) this step reads from or writes to.");
const formatKey = z.enum(FILE_FORMATS).optional().meta({ description: "File format: `csv`, `jsonl` (one JSON object per line), `json` (an array of objects) or `parquet`. Inferred from the file extension when left out." });
const csvOptions = z
  .strictObject({
    delimiter: z.string().min(1).max(1).optional().meta({ description: "Field separator (default `,`).", default: "," }),
    header: z.boolean().optional().meta({ description: "Whether the first line holds the column names (default `true`).", default: true }),
    empty_as: z
      .union([z.null(), z.enum(["null", "empty"])])
      .optional()
      .meta({
        description:
          "Reading: what an empty field is. `null` (default): an unquoted empty field is NULL and a quoted `\"\"` the empty string, as PostgreSQL's `COPY … CSV`, pandas, polars and dlt read them. `empty`: both are the empty string.",
      }),
  })
  .optional()
  .meta({ description: "CSV options." });

const paginateSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("page").meta({ description: "Page numbers: `?page=1`, `?page=2`… until a page comes back empty." }),
      param: z.string().optional().meta({ description: "Query parameter carrying the page number (default `page`).", default: "page" }),
      size_param: z.string().optional().meta({ description: "Query parameter carrying the page size, e.g. `per_page`." }),
      size: z.int().positive().optional().meta({ description: "Records per page." }),
    }),
    z.strictObject({
      type: z.literal("offset").meta({ description: "Offsets: `?offset=0&limit=100`, `?offset=100&limit=100`… until fewer than `limit` come back." }),
      param: z.string().optional().meta({ description: "Query parameter carrying the offset (default `offset`).", default: "offset" }),
      limit_param: z.string().optional().meta({ description: "Query parameter carrying the limit (default `limit`).", default: "limit" }),
      limit: z.int().positive().optional().meta({ description: "Records per request (default 100).", default: 100 }),
    }),
    z.strictObject({
      type: z.literal("cursor").meta({ description: "Cursors: each response names the cursor of the next page." }),
      param: z.string().meta({ description: "Query parameter that carries the cursor, e.g. `cursor`." }),
      next: z.string().meta({ description: "Dotted path to the next cursor in the response, e.g. `meta.next_cursor`. Stops when it is empty." }),
    }),
    z.strictObject({
      type: z.literal("link").meta({ description: "Follows the RFC 8288 `Link: <…>; rel=\"next\"` response header." }),
    }),
  ])
  .optional()
  .meta({ description: "How to fetch every page: `page`, `offset`, `cursor` or `link`.", discriminator: { propertyName: "type" }, examples: [{ type: "page", size: 100 }] });

const INCREMENTAL_BY = ["modified", "partition"] as const;
/** `lag`: a duration (`10m`, `2h`, `1d`) behind a timestamp mark, or a number behind a numeric one. */
const LAG_PATTERN = "^[0-9]+(ms|s|m|h|d)$";

const incrementalSchema = z
  .strictObject({
    column: z.string().min(1).optional().meta({ description: "PostgreSQL: column that grows over time (e.g. `updated_at`); only rows above the last run's highest value (less `lag`) are read." }),
    param: z.string().min(1).optional().meta({ description: "HTTP: query parameter that carries the mark to the API, e.g. `updated_since`.", examples: ["updated_since"] }),
    from: z.string().min(1).optional().meta({ description: "HTTP: dotted path of the field in each record the next mark is taken from (its highest value), e.g. `updated_at`.", examples: ["updated_at"] }),
    by: z.enum(INCREMENTAL_BY).optional().meta({
      description: "S3 and file: `modified` reads only objects/files modified after the last run's mark (less `lag`); `partition` reads only Hive-style partitions (`dt=2024-01-02/`) after the last one read.",
    }),
    initial: z.union([z.string(), z.number()]).optional().meta({ description: "Lower bound for the first run, e.g. `2024-01-01`." }),
    lag: z.union([z.string().regex(new RegExp(LAG_PATTERN)), z.number().min(0)]).optional().meta({
      description: "Re-read a window behind the mark, for rows committed late: a duration for timestamps (`10m`, `2h`, `1d`), a number for integers. Rows read twice are made harmless by a `merge` load on the key.",
      examples: ["10m", 100],
    }),
  })
  .optional()
  .meta({ description: "Read only what is new since the last successful run (a high-water mark kept per pipeline). PostgreSQL `column`; HTTP `param` + `from`; S3 and file `by`." });

const ExtractSchema = z
  .strictObject({
    connection: connectionRef,
    table: z.string().regex(new RegExp(TABLE_PATTERN)).optional().meta({ description: "PostgreSQL: table or view to read, `schema.table` or `table`.", examples: ["public.orders"] }),
    query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional().meta({
      description: "PostgreSQL: a SELECT to read from (templates are bound as values, e.g. `WHERE day = {{ ds }}` — never inside quotes or comments). HTTP: query parameters as a map.",
    }),
    columns: columnList("PostgreSQL: the columns to read (default: all).").optional(),
    incremental: incrementalSchema,
    partition_columns: z.boolean().optional().meta({
      description: "S3 and file: add each Hive-style partition folder of a key or path (`dt=2024-01-01/`, `region=eu/`) as a column of its records, typed by inference. Default: `true` when the glob's wildcards cross such folders.",
    }),
    key: z.string().min(1).optional().meta({ description: "S3: object key, or a glob with `*` and `**`, e.g. `raw/orders/{{ ds }}/*.csv`." }),
    path: z.string().optional().meta({ description: "File: path or glob under the connection's `root`. HTTP: path appended to `base_url`, e.g. `/orders`." }),
    format: formatKey,
    csv: csvOptions,
    method: z.enum(["GET", "POST"]).optional().meta({ description: "HTTP: request method (default `GET`).", default: "GET" }),
    body: z.unknown().optional().meta({ description: "HTTP: JSON request body (with `method: POST`)." }),
    records: z.string().optional().meta({ description: "HTTP: dotted path to the array of records in the response, e.g. `data.items`. Leave out when the response is the array." }),
    paginate: paginateSchema,
  })
  .meta({ description: "Reads records from a source. Keys depend on the connection's type: postgres `table`/`query`; s3 `key`; http `path`; file `path`." });

const joinSchema = z
  .strictObject({
    with: identifier("The step whose records are joined in; it must also be listed in `depends_on`."),
    on: z.union([z.string(), z.array(z.string()).min(1), z.record(z.string(), z.string())]).meta({
      description: "Join columns: a column, a list of columns, or a map `left_column: right_column`.",
    }),
    how: z.enum(["inner", "left"]).default("inner").meta({ description: "`inner` keeps matches only; `left` keeps every record of this step's input." }),
  })
  .meta({ description: "Joins the records of another upstream step." });

const TransformOpSchema = z
  .strictObject({
    select: columnList("Keep only these columns, in this order.").optional(),
    drop: columnList("Remove these columns.").optional(),
    rename: z.record(z.string(), z.string()).optional().meta({ description: "Rename columns: `old_name: new_name`." }),
    cast: z.record(z.string(), z.enum(COLUMN_TYPES)).optional().meta({
      description: "Convert columns to a type: string, integer, number, decimal, boolean, date, timestamp, json. A value that does not convert fails the step naming the row.",
    }),
    filter: z.string().optional().meta({ description: "Keep records where this JSONata expression is true, e.g. `amount > 0 and country = \"DE\"`.", examples: ["amount > 0"] }),
    derive: z.record(z.string(), z.string()).optional().meta({ description: "Add or replace columns with JSONata expressions: `total: price * quantity`." }),
    dedupe: columnList("Keep the first record for each combination of these columns.").optional(),
    join: joinSchema.optional(),
    aggregate: z
      .strictObject({
        group_by: z.array(z.string()).meta({ description: "Columns to group by (one output record per group)." }),
        metrics: z.record(z.string(), z.string().regex(new RegExp(METRIC_PATTERN))).meta({
          description: "Output columns: `count()`, `sum(col)`, `min(col)`, `max(col)` or `avg(col)`.",
          examples: [{ orders: "count()", revenue: "sum(amount)" }],
        }),
      })
      .optional()
      .meta({ description: "Groups records and computes metrics per group." }),
    limit: z.int().min(0).optional().meta({ description: "Keep at most this many records." }),
  })
  .meta({ description: "One transform operation: select, drop, rename, cast, filter, derive, dedupe, join, aggregate or limit.", minProperties: 1, maxProperties: 1 });

const LoadSchema = z
  .strictObject({
    connection: connectionRef,
    table: z.string().regex(new RegExp(TABLE_PATTERN)).optional().meta({ description: "PostgreSQL: target table, `schema.table` or `table`." }),
    mode: z.enum(LOAD_MODES).default("append").meta({
      description: "PostgreSQL: `append` adds rows; `replace` leaves the table holding exactly this run's rows; `merge` upserts on `key`.",
    }),
    key: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().meta({
      description: "PostgreSQL: the columns that identify a row (required for `mode: merge`). S3: the object key to write.",
    }),
    create: z.boolean().default(true).meta({ description: "PostgreSQL: create the table from the records' column types when it does not exist (default `true`)." }),
    on_schema_change: z.enum(SCHEMA_CHANGE_POLICIES).default("fail").meta({
      description:
        "PostgreSQL: what a load does when the records' columns differ from the existing table's. `fail` (default): fail before touching the table, naming the new, missing and retyped columns and the DDL that reconciles them. `evolve`: add new columns and widen types where safe (integer → bigint → numeric, varchar(n) → text) inside the load's transaction; a missing column loads NULL only when nullable. `ignore`: load the columns the table has and leave the rest out.",
    }),
    rejected_table: z.boolean().optional().meta({
      description:
        "PostgreSQL: also write the records the step this load reads quarantined (`on_error: quarantine`) to the table `<table>_rejected` beside the target (created when missing), in the load's transaction: both commit or neither does.",
    }),
    path: z.string().optional().meta({ description: "File: path to write under the connection's `root`." }),
    format: formatKey,
    compression: z.enum(PARQUET_COMPRESSIONS).optional().meta({ description: "Parquet: how column data is compressed, `snappy` (default), `gzip`, `zstd` or `none`.", default: "snappy" }),
  })
  .meta({
    description: "Writes the upstream step's records. All-or-nothing: a failed load leaves the target as it was.",
    if: { properties: { mode: { const: "merge" } }, required: ["mode"] },
    then: { required: ["key"] },
  });

export const SqlSchema = z
  .strictObject({
    connection: connectionRef,
    query: z.string().min(1).meta({ description: "SQL to run. Templates such as `{{ ds }}` are bound as values (`WHERE day = {{ ds }}`), never spliced into the text; write them outside quotes and comments." }),
  })
  .meta({ description: "Runs SQL in a PostgreSQL connection. It moves no records; `depends_on` only orders it." });

// ---------------------------------------------------------------------------------------------
// Data checks (runner/checks): run on a step's output as it is staged, before anything downstream.

export const CHECK_KINDS = ["not_null", "unique", "accepted_values", "range", "row_count", "freshness", "expression"] as const;
const CHECK_SEVERITIES = ["error", "warn"] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

const checkColumn = z.string().min(1).meta({ description: "The column checked." });
const acceptedValue = z.union([z.string(), z.number(), z.boolean()]);

const CheckSchema = z
  .strictObject({
    not_null: columnList("Every record has a value (not null, not missing) in each of these columns.").optional(),
    unique: columnList("No two records share a value in these columns (together, for several; `1` and `\"1\"` differ). Records with a null in one of them are not compared.").optional(),
    accepted_values: z
      .strictObject({
        column: checkColumn,
        values: z.array(acceptedValue).min(1).meta({ description: "The values allowed (compared as text, so `1` matches `\"1\"`). Nulls pass; add `not_null` to refuse them." }),
      })
      .optional()
      .meta({ description: "Every value of `column` is one of `values`, e.g. `{column: status, values: [paid, refunded]}`." }),
    range: z
      .strictObject({
        column: checkColumn,
        min: z.number().optional().meta({ description: "Smallest value allowed (inclusive)." }),
        max: z.number().optional().meta({ description: "Largest value allowed (inclusive)." }),
      })
      .optional()
      .meta({ description: "Every value of `column` is a number between `min` and `max` (inclusive; give one or both). Nulls pass; a value that is not a number fails.", anyOf: [{ required: ["min"] }, { required: ["max"] }] }),
    row_count: z
      .strictObject({
        min: z.int().min(0).optional().meta({ description: "Fewest records allowed." }),
        max: z.int().min(0).optional().meta({ description: "Most records allowed." }),
      })
      .optional()
      .meta({ description: "The step outputs between `min` and `max` records (give one or both).", anyOf: [{ required: ["min"] }, { required: ["max"] }] }),
    freshness: z
      .strictObject({
        column: checkColumn,
        max_age: duration("How old the newest value of `column` may be when the check runs, e.g. `36h`."),
      })
      .optional()
      .meta({ description: "The newest value of the timestamp `column` is at most `max_age` old, e.g. `{column: ordered_at, max_age: 36h}`." }),
    expression: z.string().min(1).optional().meta({
      description: "A JSONata expression that is true for every record, e.g. `amount >= 0 or status = 'refunded'`.",
      examples: ["amount >= 0"],
    }),
    severity: z.enum(CHECK_SEVERITIES).optional().meta({
      description: "`error` (default): a failing check fails the step, so nothing downstream runs and no target changes. `warn`: report it and go on.",
      default: "error",
    }),
  })
  .meta({
    description: "One data check: not_null, unique, accepted_values, range, row_count, freshness or expression, with an optional `severity`.",
    oneOf: CHECK_KINDS.map((k) => ({ required: [k] })),
  })
  .superRefine((check, ctx) => {
    const kinds = CHECK_KINDS.filter((k) => check[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: "custom", message: `a check needs exactly one of ${CHECK_KINDS.join(", ")}` });
  });

export const StepSchema = z
  .strictObject({
    id: identifier("Unique id of the step: lowercase letters, digits and `_`, starting with a letter. Becomes the Airflow task id."),
    description: z.string().optional().meta({ description: "What the step does; shown in hovers and the DAG preview." }),
    depends_on: z.array(z.string().regex(new RegExp(IDENTIFIER_PATTERN))).optional().meta({
      description: "Steps that must finish before this one. A transform or load reads the records of the first one (or of `input`).",
      uniqueItems: true,
    }),
    input: identifier("Transform/load: the upstream step whose records are read, when `depends_on` names several.").optional(),
    retries: policyShape.retries.optional(),
    retry_delay: policyShape.retry_delay.optional(),
    timeout: policyShape.timeout.optional(),
    retry_backoff: z.enum(["fixed", "exponential"]).optional().meta({ description: policyShape.retry_backoff.description }),
    extract: ExtractSchema.optional(),
    transform: z.array(TransformOpSchema).min(1).optional().meta({ description: "Transform operations applied in order to the upstream step's records." }),
    on_error: z.enum(ON_ERROR_POLICIES).optional().meta({
      description:
        "Transform: what a record whose op fails (a `cast` that cannot convert, an expression that fails) does; file/s3 extract: what a CSV or JSON Lines line that does not parse does. `fail` (default): the step fails. `quarantine`: the record (line) is left out and written, with the reason, to `<run folder>/<step>.rejected.jsonl`; the step fails when more than `max_rejected` are.",
    }),
    max_rejected: z
      .union([z.number().int().nonnegative(), z.string().regex(new RegExp(MAX_REJECTED_SHARE_PATTERN))])
      .optional()
      .meta({ description: "With `on_error: quarantine`: how many records (or lines) may be rejected before the step fails: a count (`100`) or a share of the step's input (`0.5%`).", examples: ["0.5%", 100] }),
    load: LoadSchema.optional(),
    sql: SqlSchema.optional(),
    checks: z.array(CheckSchema).min(1).optional().meta({
      description: "Extract/transform: data checks run on the step's output as it is staged. A failed `error` check fails the step before anything downstream reads it; `agent-etl run --skip-checks` skips them.",
    }),
    anomaly: AnomalySchema.optional(),
  })
  .meta({
    description: "A step of the pipeline: an `id` and exactly one of `extract`, `transform`, `load` or `sql`.",
    oneOf: STEP_KINDS.map((k) => ({ required: [k] })),
  })
  .superRefine((step, ctx) => {
    const kinds = STEP_KINDS.filter((k) => step[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: "custom", message: "a step needs exactly one of extract, transform, load, sql" });
  });

export const PipelineSchema = z
  .strictObject({
    version: z.literal(1).meta({ description: "Version of the pipeline file format. Always `1`." }),
    name: identifier("Name of the pipeline: lowercase letters, digits and `_`. Becomes the Airflow `dag_id`."),
    description: z.string().optional().meta({ description: "What the pipeline does; shown in hovers, the DAG preview and Airflow's `doc_md`." }),
    schedule: z.union([z.string().regex(new RegExp(SCHEDULE_PATTERN)), z.null()]).optional().meta({
      description: "When the pipeline runs: a 5-field cron expression (`0 6 * * *`) or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, `@once`. `null` or absent: manual runs only.",
      examples: ["@daily", "0 6 * * 1-5"],
    }),
    start_date: z.string().regex(new RegExp(DATE_PATTERN)).optional().meta({ description: "First logical date, `YYYY-MM-DD` (used by Airflow).", examples: ["2024-01-01"] }),
    owner: z.string().optional().meta({ description: "Who owns the pipeline (Airflow `owner`)." }),
    tags: z.array(z.string()).optional().meta({ description: "Labels for finding the pipeline (Airflow tags)." }),
    params: z.record(z.string().regex(new RegExp(IDENTIFIER_PATTERN)), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().meta({
      description: "Defaults for `{{ params.NAME }}` templates; override with `agent-etl run --param NAME=VALUE`.",
    }),
    defaults: StepPolicySchema.optional(),
    staging: z
      .strictObject({
        connection: identifier("An `s3` or `file` connection where step outputs are kept between steps."),
        prefix: z.string().optional().meta({ description: "Key or folder prefix for staged outputs, e.g. `etl-staging/`." }),
      })
      .optional()
      .meta({ description: "Where step outputs are kept between steps. Default: the local folder `.etl/runs/` beside the file. Workers on Airflow need a shared place such as S3." }),
    connections: z.record(z.string().regex(new RegExp(IDENTIFIER_PATTERN)), ConnectionSchema).optional().meta({
      description: "Named data sources and sinks, e.g. `warehouse: {type: postgres, url: ${env:DATABASE_URL}}`.",
    }),
    steps: z.array(StepSchema).min(1).meta({ description: "The steps of the pipeline; `depends_on` links them into a DAG." }),
    history: HistorySchema.optional(),
    retention: RetentionSchema.optional(),
    anomaly: AnomalySchema.optional(),
    notify: z.array(NotifySchema).min(1).optional().meta({ description: "Webhooks told about each run, e.g. `[{on: [failure, anomaly], webhook: ${env:SLACK_WEBHOOK_URL}}]`." }),
  })
  .meta({
    title: "Agent-Orchestrated ETL pipeline",
    description: "An ETL pipeline: connections and steps (extract, transform, load, sql) that form a DAG.",
  });

/** A typed pipeline: what `PipelineSchema` parses, with its steps discriminated by kind. */
export type Pipeline = Omit<z.output<typeof PipelineSchema>, "steps"> & { steps: Step[] };
type StepFields = z.output<typeof StepSchema>;
/** A step of one kind: its kind's key is set, the other kinds' keys are absent. */
type StepOf<K extends StepKind> = Omit<StepFields, StepKind> & { [P in K]-?: NonNullable<StepFields[P]> } & { [P in Exclude<StepKind, K>]?: undefined };
/** A step, discriminated by which of `extract`, `transform`, `load`, `sql` it has (the schema allows exactly one). */
export type Step = StepOf<"extract"> | StepOf<"transform"> | StepOf<"load"> | StepOf<"sql">;
export type ExtractStep = StepOf<"extract">;
export type TransformStep = StepOf<"transform">;
export type LoadStep = StepOf<"load">;
export type SqlStep = StepOf<"sql">;

/** The step `StepSchema` parsed: its refinement lets exactly one kind through, which `Step` says in its type. */
export function asStep(parsed: StepFields): Step {
  return parsed as Step;
}

/** Which of the four kinds a step is. */
export function stepKind(step: Step): StepKind {
  return step.extract ? "extract" : step.transform ? "transform" : step.load ? "load" : "sql";
}

/** The pipeline `PipelineSchema` parsed, its steps typed by kind (see `asStep`). */
export function asPipeline(parsed: z.output<typeof PipelineSchema>): Pipeline {
  return parsed as Pipeline;
}
export type Connection = z.output<typeof ConnectionSchema>;
/** A connection type the registry has (`sources/registry.ts`). */
export type ConnectionType = Connection["type"];
export type Extract = z.output<typeof ExtractSchema>;
export type Load = z.output<typeof LoadSchema>;
export type TransformOp = z.output<typeof TransformOpSchema>;
export type StepPolicy = z.output<typeof StepPolicySchema>;
export type Check = z.output<typeof CheckSchema>;
