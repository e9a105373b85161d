/**
 * A step's records, computed in memory for a preview: extracts read with the limit pushed into the
 * connector, transforms through the runner's own compiled stages, every step's output through the
 * staged-rows round trip a run makes. Nothing is staged, no mark is written, no load or `sql` runs.
 */
import { readAfter } from "../incremental";
import { createReadStream } from "node:fs";
import type { Logger } from "pino";
import type { Connection, ExtractStep, Step, TransformOp, TransformStep } from "../../pipeline/model";
import type { TemplateValues } from "../../pipeline/templates";
import { connectorFor } from "../../sources";
import { readRecordBatches } from "../../sources/formats";
import { batchesOf } from "../../sources/formats/batches";
import type { DataRecord, ExtractRequest, SourceContext } from "../../sources/types";
import { StepError } from "../../errors";
import { connectionOf, inputOf } from "../context";
import { prepend } from "../steps";
import { compileTransforms, type Batches, type Columns, type Stage } from "../transforms";
import { inStep } from "./failure";
import { asStaged, capped, sliced } from "./streams";
import { inputWanted } from "./target";

/** The most records a preview reads from one extract, and feeds one aggregate or one join's right side. */
export const READ_CAP = 100_000;

/** The smallest slice a transform's input is cut into (`sliced`), so a selective filter still moves in steps worth an await. */
const SLICE_MIN = 64;

/** Caveats for the preview's `notes`; each also says more rows may exist than those shown. */
export class Notes {
  readonly list: string[] = [];
  mayHaveMore = false;
  add(note: string): void {
    this.mayHaveMore = true;
    if (!this.list.includes(note)) this.list.push(note);
  }
}

export interface PreviewSession {
  baseDir: string;
  templates: TemplateValues;
  /** The connections the previewed steps read, with secrets resolved. */
  connections: Record<string, Connection>;
  secrets: readonly string[];
  logger: Logger;
  signal: AbortSignal;
  steps: ReadonlyMap<string, Step>;
  /** An incremental extract's committed mark (read, never written). */
  highWater(stepId: string): Promise<string | number | undefined>;
  notes: Notes;
}

export interface StepStream {
  batches: Batches;
  /** Column types once known (an extract's from its source, a transform's followed through its ops). */
  columns(): Columns | undefined;
}

function sourceContext(s: PreviewSession, step: Step): SourceContext {
  const name = connectionOf(step) as string;
  const connection = s.connections[name];
  if (!connection) throw new StepError("unknown-connection", `connection \`${name}\` is not defined under \`connections:\``);
  return { connection, connectionName: name, baseDir: s.baseDir, templates: s.templates, signal: s.signal, logger: s.logger.child({ stepId: step.id, preview: true }), secrets: s.secrets };
}

/** Failures inside the stream name their step; an abort stops it between batches. */
async function* tagged(batches: Batches, step: string, s: PreviewSession): AsyncGenerator<DataRecord[]> {
  try {
    for await (const batch of batches) {
      s.signal.throwIfAborted();
      yield batch;
    }
  } catch (err: unknown) {
    throw inStep(err, step, s.secrets);
  }
}

/** Calls `onEnd` when `batches` was read to its end (not when the reader stopped early). */
async function* ending(batches: Batches, onEnd: () => void): AsyncGenerator<DataRecord[]> {
  yield* batches;
  onEnd();
}

/** Reads the first batch, so the stream's column types are known as a run knows them from staging. */
async function started(stream: StepStream): Promise<StepStream> {
  const iterator = stream.batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  return { batches: prepend(first.done ? undefined : first.value, iterator), columns: stream.columns };
}

async function openExtract(s: PreviewSession, step: ExtractStep, want: number): Promise<StepStream> {
  const extract = step.extract;
  const max = Math.min(want, READ_CAP);
  const highWater = extract.incremental ? readAfter(extract, await s.highWater(step.id)) : undefined;
  // One more than the records used, so a source that has more says so.
  const request: ExtractRequest = { ...sourceContext(s, step), extract, preview: { limit: max + 1 }, ...(highWater !== undefined ? { highWater } : {}) };
  const connector = await connectorFor(request.connection.type);
  const file = connector.singleFile ? await connector.singleFile(request) : undefined;
  let raw: Batches;
  let columns: Columns | undefined;
  let skipped: (() => string | undefined) | undefined;
  if (file) {
    // A run stages a copy of the file and reads it back with the same reader: the records are the file's.
    raw = readRecordBatches(createReadStream(file.path, { signal: s.signal, highWaterMark: 256 * 1024 }), file.format, file.csv, file.shown);
  } else {
    const result = await connector.extract(request);
    raw = batchesOf(result);
    columns = result.columns;
    skipped = result.skipped;
  }
  const onMore = () => {
    if (max === READ_CAP) s.notes.add(`extract \`${step.id}\`: the preview read only its first ${READ_CAP} rows, so the steps after it saw those rows only`);
  };
  const onEnd = () => {
    const note = skipped?.();
    if (note) s.notes.add(`extract \`${step.id}\`: ${note}`);
  };
  const read = capped(ending(raw, onEnd), max, onMore);
  return { batches: tagged(file ? read : asStaged(read, `records of \`${step.id}\``), step.id, s), columns: () => columns };
}

/** A preview's `aggregate` reads at most READ_CAP records, and says so when there were more. */
function aroundOp(s: PreviewSession, step: Step) {
  return (op: TransformOp, _index: number, stage: Stage): Stage => {
    if (!op.aggregate) return stage;
    const note = `aggregate \`${step.id}\` computed over the first ${READ_CAP} input rows only`;
    return (input) => stage(capped(input, READ_CAP, () => s.notes.add(note)));
  };
}

async function openTransform(s: PreviewSession, step: TransformStep, want: number): Promise<StepStream> {
  const ops = step.transform;
  const input = await started(await openStep(s, inputOf(step) as string, inputWanted(ops, want)));
  const compiled = compileTransforms(ops, {
    columns: input.columns(),
    openUpstream: async (id) => {
      const right = await started(await openStep(s, id, Number.POSITIVE_INFINITY));
      const note = `join with \`${id}\` in step \`${step.id}\` matched the first ${READ_CAP} rows of \`${id}\` only`;
      return { batches: capped(right.batches, READ_CAP, () => s.notes.add(note)), columns: right.columns() };
    },
    around: aroundOp(s, step),
  });
  const slices = sliced(input.batches, Math.min(1000, Math.max(SLICE_MIN, want)));
  return { batches: tagged(asStaged(compiled.stage(slices), `records of \`${step.id}\``), step.id, s), columns: compiled.columns };
}

/**
 * Step `id`'s records, reading no more of its sources than `want` of them need (any number:
 * Infinity, capped at READ_CAP per source). A load's are the records it would load.
 */
export async function openStep(s: PreviewSession, id: string, want: number): Promise<StepStream> {
  const step = s.steps.get(id) as Step;
  try {
    if (step.extract) return await openExtract(s, step, want);
    if (step.transform) return await openTransform(s, step, want);
    return await openStep(s, inputOf(step) as string, want);
  } catch (err: unknown) {
    throw inStep(err, id, s.secrets);
  }
}
