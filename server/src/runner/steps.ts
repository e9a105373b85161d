/** Executes one attempt of one step: extract → staging, staging → transform → staging, staging → load, or SQL. */
import { ConnectorError, StepError } from "../errors";
import type { ExtractStep, LoadStep, SqlStep, Step, TransformStep } from "../pipeline/model";
import { batchedRecords, batchesOf } from "../sources/formats/batches";
import { connectorFor } from "../sources";
import { typesWhere } from "../sources/registry";
import type { BadLine } from "../sources/formats";
import type { DataRecord, SourceContext, SourceVersion } from "../sources/types";
import { connectionOf, inputOf, type RunContext } from "./context";
import { endMark, markTracker, readAfter, readHighWater } from "./incremental";
import type { BatchChannel } from "./live/channel";
import { checkFailure, StepChecks, type CheckOutcome } from "./checks/stepChecks";
import { Quarantine, type QuarantineReport } from "./quarantine";
import { metaKey, readStepOutput, stageFileCopy, writeStepOutput, type BatchTee, type StepOutputMeta } from "./stagedData";
import { compileTransforms, type Batches, type Columns } from "./transforms";

/** How one attempt meets its neighbours when steps stream into each other (`live/liveRuns.ts`). */
export interface LiveIo {
  /** Read the main input from the upstream step as it runs, instead of from staging. */
  input?: BatchChannel;
  /** Also hand the output batches to the downstream consumer. */
  tee?: BatchTee;
}

/** Where an attempt counts its rows, and says what it does once they are all read. */
export interface StepReport {
  add(rows: number): void;
  phase(note: string): void;
  /** What one of the step's checks found (events, logs). */
  checked?(outcome: CheckOutcome): void;
  /** What a load's `on_schema_change` changed in (or left out of) its table, once the load committed. */
  schemaChanged?(change: SchemaChange): void;
  /** What a transform's or extract's `on_error: quarantine` left out, once its output is staged. */
  rejected?(report: QuarantineReport): void;
}

export interface SchemaChange {
  step: string;
  table: string;
  policy: "evolve" | "ignore";
  changes: string[];
}

interface StepInput {
  columns: Columns | undefined;
  batches: Batches;
}

/** `first` (a batch already read to learn the stream's columns), then the rest of the stream. */
export async function* prepend(first: DataRecord[] | undefined, rest: AsyncIterator<DataRecord[]>): AsyncGenerator<DataRecord[]> {
  try {
    if (first) yield first;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

/**
 * The main input: staged, or live from the channel. Live, the first batch is awaited before the
 * upstream's column types are read, as they are once its stream has started.
 */
async function openInput(ctx: RunContext, step: Step, live: LiveIo): Promise<StepInput> {
  if (!live.input) {
    const staged = await readStepOutput(ctx.store, ctx.runId, inputOf(step) as string);
    return { columns: staged.meta.columns, batches: staged.batches };
  }
  const channel = live.input;
  const iterator = channel[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { columns: channel.columns(), batches: prepend(first.done ? undefined : first.value, iterator) };
}

export interface StepOutcome {
  rows: number;
  highWater?: string | number;
  /** An incremental extract's committed mark when it started (null: none). */
  highWaterFrom?: string | number | null;
  /** An extract's source version, taken before reading it (so a change while it read shows as a change). */
  source?: SourceVersion;
}

function sourceContext(ctx: RunContext, step: Step, signal: AbortSignal): SourceContext {
  const name = connectionOf(step) as string;
  const connection = ctx.connections[name];
  if (!connection) throw new StepError("unknown-connection", `connection \`${name}\` is not defined under \`connections:\``);
  return { connection, connectionName: name, baseDir: ctx.baseDir, templates: ctx.templates, signal, logger: ctx.logger.child({ stepId: step.id }), secrets: ctx.secrets };
}

async function* counting(batches: Batches, report: StepReport, signal: AbortSignal): AsyncGenerator<DataRecord[]> {
  for await (const batch of batches) {
    signal.throwIfAborted();
    yield batch;
    report.add(batch.length);
  }
}

/** The step's checks, unless it has none or the run skips them (`--skip-checks`). */
function checksOf(ctx: RunContext, step: Step): StepChecks | undefined {
  if (!step.checks || ctx.skipChecks) return undefined;
  return new StepChecks(step.id, step.checks, {
    reread: async () => (await readStepOutput(ctx.store, ctx.runId, step.id)).batches,
    secrets: ctx.secrets,
  });
}

/**
 * Judges the checks once the output is staged. A failed `error` check fails the step and takes
 * its meta file away, so no later `--step`/`--resume` reads the unchecked records as complete.
 */
async function judge(ctx: RunContext, step: Step, checks: StepChecks | undefined, meta: StepOutputMeta, report: StepReport): Promise<void> {
  if (!checks) return;
  report.phase("checking");
  const outcomes = await checks.finish(meta.rows);
  for (const o of outcomes) report.checked?.(o);
  const failed = outcomes.filter((o) => !o.passed && o.severity === "error");
  if (failed.length === 0) return;
  await ctx.store.remove(metaKey(ctx.runId, step.id));
  throw checkFailure(step.id, failed);
}

/** Both observers of an extract's batches (its checks, the tracker of an HTTP `incremental.from` mark), when it has any. */
function observers(...all: (((batch: DataRecord[]) => void | Promise<void>) | undefined)[]): { observe?: (batch: DataRecord[]) => void | Promise<void> } {
  const present = all.filter((o) => o !== undefined);
  if (present.length === 0) return {};
  if (present.length === 1) return { observe: present[0] as (batch: DataRecord[]) => void | Promise<void> };
  return {
    observe: async (batch) => {
      for (const o of present) await o(batch);
    },
  };
}

async function runExtract(ctx: RunContext, step: ExtractStep, signal: AbortSignal, report: StepReport, live: LiveIo): Promise<StepOutcome> {
  const quarantine = step.on_error === "quarantine" ? new Quarantine() : undefined;
  try {
    return await extractInto(ctx, step, signal, report, live, quarantine);
  } finally {
    quarantine?.discard();
  }
}

/** The extract; under `on_error: quarantine`, lines of its input that do not parse go to `quarantine`. */
async function extractInto(ctx: RunContext, step: ExtractStep, signal: AbortSignal, report: StepReport, live: LiveIo, quarantine: Quarantine | undefined): Promise<StepOutcome> {
  const base = sourceContext(ctx, step, signal);
  const connector = await connectorFor(base.connection.type);
  const extract = step.extract;
  const committed = extract.incremental ? await readHighWater(ctx.store, ctx.pipeline.name, step.id) : undefined;
  const highWater = readAfter(extract, committed);
  const request = { ...base, extract, ...(highWater !== undefined ? { highWater } : {}), ...(quarantine ? { onBadLine: (bad: BadLine) => quarantine.rejectLine(bad) } : {}) };
  const version = connector.sourceVersion ? await connector.sourceVersion(request) : undefined;
  const source = version ? { source: version } : {};
  // An incremental read or partition columns need the connector's own read, not a copy of the
  // file; so does a quarantine (a copy would keep the lines that do not parse).
  const file = connector.singleFile && !extract.incremental && extract.partition_columns !== true && !quarantine ? await connector.singleFile(request) : undefined;
  const checks = checksOf(ctx, step);
  const from = extract.incremental?.from;
  const tracker = from !== undefined ? markTracker(from) : undefined;
  const observe = observers(checks?.observe, tracker?.see);
  if (file) {
    const meta = await stageFileCopy(ctx.store, ctx.runId, step.id, file, { onBatch: (n) => report.add(n), signal, ...observe, ...(live.tee ? { tee: live.tee } : {}) });
    await judge(ctx, step, checks, meta, report);
    return { rows: meta.rows, ...source };
  }
  const result = await connector.extract(request);
  const meta = await writeStepOutput(ctx.store, ctx.runId, step.id, batchesOf(result), { onBatch: (n) => report.add(n), signal, columns: () => result.columns, ...observe, ...(live.tee ? { tee: live.tee } : {}) });
  if (quarantine) await settleQuarantine(ctx, step, quarantine, meta.rows + quarantine.count, report);
  await judge(ctx, step, checks, meta, report);
  // A bigint column's mark beyond a double's range comes as a BigInt: marks are kept as decimal text (marks.ts).
  const read: unknown = tracker ? tracker.mark() : result.highWater?.();
  const mark = endMark(committed, typeof read === "bigint" ? read.toString() : (read as string | number | undefined));
  return { rows: meta.rows, ...source, ...(mark !== undefined ? { highWater: mark } : {}), ...(extract.incremental ? { highWaterFrom: committed ?? null } : {}) };
}

async function runTransform(ctx: RunContext, step: TransformStep, signal: AbortSignal, report: StepReport, live: LiveIo): Promise<StepOutcome> {
  const input = await openInput(ctx, step, live);
  const quarantine = step.on_error === "quarantine" ? new Quarantine() : undefined;
  try {
    let inputRows = 0;
    const compiled = compileTransforms(step.transform, {
      columns: input.columns,
      openUpstream: async (id) => {
        const upstream = await readStepOutput(ctx.store, ctx.runId, id);
        return { batches: upstream.batches, columns: upstream.meta.columns };
      },
      ...(quarantine ? { rejects: quarantine } : {}),
    });
    const checks = checksOf(ctx, step);
    const counted = quarantine ? countingInput(input.batches, (n) => (inputRows += n)) : input.batches;
    const meta = await writeStepOutput(ctx.store, ctx.runId, step.id, compiled.stage(counted), { onBatch: (n) => report.add(n), signal, columns: compiled.columns, ...(checks ? { observe: checks.observe } : {}), ...(live.tee ? { tee: live.tee } : {}) });
    if (quarantine) await settleQuarantine(ctx, step, quarantine, inputRows, report);
    await judge(ctx, step, checks, meta, report);
    return { rows: meta.rows };
  } finally {
    quarantine?.discard();
  }
}

/** Puts a step's rejected records into staging; past `max_rejected`, takes its output's meta away (so no later step or `--resume` reads it) and fails. */
async function settleQuarantine(ctx: RunContext, step: Step, quarantine: Quarantine, inputRows: number, report: StepReport): Promise<void> {
  try {
    await quarantine.finish(ctx.store, ctx.runId, step.id, inputRows, step.max_rejected ?? 0, (r) => report.rejected?.(r));
  } catch (err: unknown) {
    await ctx.store.remove(metaKey(ctx.runId, step.id));
    throw err;
  }
}

async function* countingInput(batches: Batches, add: (rows: number) => void): Batches {
  for await (const batch of batches) {
    add(batch.length);
    yield batch;
  }
}

async function runLoad(ctx: RunContext, step: LoadStep, signal: AbortSignal, report: StepReport, live: LiveIo): Promise<StepOutcome> {
  const base = sourceContext(ctx, step, signal);
  const connector = await connectorFor(base.connection.type);
  const input = await openInput(ctx, step, live);
  const load = step.load;
  const result = await connector.load({
    ...base,
    load,
    records: batchedRecords(counting(input.batches, report, signal)),
    onPhase: (note) => report.phase(note),
    ...(input.columns ? { columns: input.columns } : {}),
    runId: ctx.runId,
    stepId: step.id,
  });
  const changed = result.schemaChanges;
  if (changed && changed.policy !== "fail") report.schemaChanged?.({ step: step.id, table: load.table ?? "", policy: changed.policy, changes: changed.changes });
  return { rows: result.rows };
}

async function runSql(ctx: RunContext, step: SqlStep, signal: AbortSignal): Promise<StepOutcome> {
  const base = sourceContext(ctx, step, signal);
  const connector = await connectorFor(base.connection.type);
  const sql = step.sql;
  if (!connector.runSql) {
    throw new ConnectorError("unsupported-step", `connection type \`${base.connection.type}\` cannot run \`sql\` steps; use a ${typesWhere((d) => d.sql).join(" or ")} connection`);
  }
  const result = await connector.runSql({ ...base, query: sql.query });
  return { rows: result.rows ?? 0 };
}

export function executeStep(ctx: RunContext, step: Step, signal: AbortSignal, report: StepReport, live: LiveIo = {}): Promise<StepOutcome> {
  if (step.extract) return runExtract(ctx, step, signal, report, live);
  if (step.transform) return runTransform(ctx, step, signal, report, live);
  if (step.load) return runLoad(ctx, step, signal, report, live);
  return runSql(ctx, step, signal);
}
