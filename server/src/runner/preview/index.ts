/**
 * Preview rows of a step: the first N records of its output, computed with a row limit pushed into
 * the extracts and read-only reads, nothing staged or loaded. One implementation for
 * `agent-etl preview`, the MCP `preview` tool and the editor's table (which calls the CLI).
 */
import { dirname, resolve } from "node:path";
import type { Logger } from "pino";
import type { ColumnType, Pipeline, Step } from "../../pipeline/model";
import { connectionOf } from "../context";
import { readHighWater } from "../incremental";
import { scrubbingLogger } from "../safeLogger";
import { resolveConnections } from "../../env/resolve";
import { checkParams, checkTemplates, logicalInstant, newRunId, parseParams, templateValues } from "../setup";
import { openStaging } from "../staging";
import { PreviewFailure } from "./failure";
import { Notes, openStep, type PreviewSession } from "./open";
import { columnList, plainRecord, take } from "./streams";
import { previewSteps } from "./target";

export { PreviewFailure, previewError, type PreviewErrorJson } from "./failure";
export { previewSteps } from "./target";

/** The most rows a preview shows, and the defaults of the CLI (and editor) and of the MCP tool. */
export const PREVIEW_MAX_LIMIT = 1000;
export const CLI_DEFAULT_LIMIT = 50;
export const MCP_DEFAULT_LIMIT = 20;

export interface PreviewOptions {
  file: string;
  pipeline: Pipeline;
  env: ReadonlyMap<string, string>;
  step: string;
  limit: number;
  ds?: string;
  /** `K=V` pairs, as `--param` gives them. */
  params: readonly string[];
  logger: Logger;
  signal?: AbortSignal;
  /** Folders `${file:}` secrets may be read from (MCP: the workspace roots); absent: anywhere. */
  secretFolders?: readonly string[];
  /** Told each resolved secret as soon as it is known, so a caller can scrub what it prints. */
  onSecrets?: (secrets: readonly string[]) => void;
}

export interface PreviewResult {
  pipeline: string;
  step: string;
  limit: number;
  columns: { name: string; type: ColumnType | null }[];
  rows: Record<string, unknown>[];
  /** More rows exist beyond `limit`, or may exist (a cap or a skipped part of a source, see `notes`). */
  truncated: boolean;
  notes: string[];
  durationMs: number;
}

/** Marks are read from staging only when an incremental extract needs one; opening it writes nothing. */
function markReader(opts: PreviewOptions, baseDir: string, session: () => PreviewSession) {
  let marks: Promise<(id: string) => Promise<string | number | undefined>> | undefined;
  const open = async () => {
    const names = opts.pipeline.staging ? [opts.pipeline.staging.connection] : [];
    const staging = resolveConnections(opts.pipeline.connections, opts.env, baseDir, names, opts.secretFolders ? { secretFolders: opts.secretFolders } : {});
    opts.onSecrets?.(staging.secrets);
    const store = await openStaging(opts.pipeline, baseDir, staging.connections, [...session().secrets, ...staging.secrets]);
    return (id: string) => readHighWater(store, opts.pipeline.name, id);
  };
  return async (id: string) => (await (marks ??= open()))(id);
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > PREVIEW_MAX_LIMIT) {
    throw new PreviewFailure("usage", `limit ${limit} is out of range`, `give a whole number from 1 to ${PREVIEW_MAX_LIMIT}`, null, true);
  }
}

/** Everything that can fail before a record is read: the steps, params, templates, secrets. */
function prepare(opts: PreviewOptions): { session: PreviewSession; steps: Step[] } {
  checkLimit(opts.limit);
  const steps = previewSteps(opts.pipeline, opts.step);
  const baseDir = dirname(resolve(opts.file));
  const cli = parseParams(opts.params);
  checkParams(opts.pipeline, cli);
  const templates = templateValues(opts.pipeline, newRunId().replace(/^manual_/, "preview_"), logicalInstant(opts.ds !== undefined ? { ds: opts.ds } : {}), cli);
  checkTemplates(steps, templates);
  // Only the sources read: a load's connection is never opened.
  const used = steps.flatMap((s) => (s.extract ? [connectionOf(s) as string] : []));
  const resolved = resolveConnections(opts.pipeline.connections, opts.env, baseDir, used, opts.secretFolders ? { secretFolders: opts.secretFolders } : {});
  opts.onSecrets?.(resolved.secrets);
  const session: PreviewSession = {
    baseDir,
    templates,
    connections: resolved.connections,
    secrets: resolved.secrets,
    logger: scrubbingLogger(opts.logger.child({ preview: true, stepId: opts.step }), resolved.secrets),
    signal: opts.signal ?? new AbortController().signal,
    steps: new Map(opts.pipeline.steps.map((s) => [s.id, s])),
    highWater: markReader(opts, baseDir, () => session),
    notes: new Notes(),
  };
  return { session, steps };
}

/** Previews step `opts.step`; throws a PreviewFailure (or the runner's EtlError) when it cannot. */
export async function previewStep(opts: PreviewOptions): Promise<PreviewResult> {
  const started = performance.now();
  const { session } = prepare(opts);
  const stream = await openStep(session, opts.step, opts.limit + 1);
  const read = await take(stream.batches, opts.limit + 1);
  const rows = read.slice(0, opts.limit).map(plainRecord);
  return {
    pipeline: opts.pipeline.name,
    step: opts.step,
    limit: opts.limit,
    columns: columnList(rows, stream.columns()),
    rows,
    truncated: read.length > opts.limit || session.notes.mayHaveMore,
    notes: session.notes.list,
    durationMs: Math.round(performance.now() - started),
  };
}
