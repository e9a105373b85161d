/** Compiles a step's transform list into one streaming stage, and follows the column types through it. */
import type { TransformOp } from "../../pipeline/model";
import { aggregateColumns, aggregateStage } from "./aggregate";
import { castStage } from "./cast";
import { deriveStage, filterStage } from "./expressions";
import { joinColumns, joinStage } from "./join";
import { dedupeStage, dropColumns, dropStage, limitStage, renameColumns, renameStage, selectColumns, selectStage } from "./simple";
import type { Rejects } from "./rejects";
import { mapBatches, type Batches, type Columns, type Stage } from "./stage";

export type { Batches, Columns, Stage } from "./stage";
export type { Rejection, Rejects } from "./rejects";

export interface TransformInputs {
  /** Column types of the main input, when known. */
  columns: Columns | undefined;
  /** Opens another upstream step's staged output (for `join`). */
  openUpstream: (stepId: string) => Promise<{ batches: Batches; columns: Columns | undefined }>;
  /** Wraps each op's stage (a preview caps what an `aggregate` reads: `runner/preview`). */
  around?: (op: TransformOp, index: number, stage: Stage) => Stage;
  /** Under `on_error: quarantine`: where records a cast or an expression fails on go, instead of failing the step. */
  rejects?: Rejects;
}

export interface CompiledTransform {
  stage: Stage;
  /** Column types after the last op, once known (a join learns its right side's types when it opens it). */
  columns: () => Columns | undefined;
}

interface Compiled {
  stage: Stage;
  columns: (input: Columns | undefined) => Columns | undefined;
}

/** `typesBefore`: the column types of the op's input, known once the stream has started (a join's right side then). */
function compileOp(op: TransformOp, index: number, inputs: TransformInputs, typesBefore: () => Columns | undefined): Compiled {
  const same = (c: Columns | undefined) => c;
  if (op.select) return { stage: selectStage(op.select), columns: (c) => selectColumns(c, op.select ?? []) };
  if (op.drop) return { stage: dropStage(op.drop), columns: (c) => dropColumns(c, op.drop ?? []) };
  if (op.rename) return { stage: renameStage(op.rename), columns: (c) => renameColumns(c, op.rename ?? {}) };
  if (op.cast) {
    const types = op.cast;
    return { stage: mapBatches(castStage(types, index, inputs.rejects)), columns: (c) => ({ ...c, ...types }) };
  }
  if (op.filter !== undefined) return { stage: filterStage(op.filter, index, typesBefore, inputs.rejects), columns: same };
  if (op.derive) {
    const names = Object.keys(op.derive);
    return { stage: deriveStage(op.derive, index, typesBefore, inputs.rejects), columns: (c) => dropColumns(c, names) };
  }
  if (op.dedupe) return { stage: dedupeStage(op.dedupe), columns: same };
  if (op.join) return compileJoin(op.join, inputs);
  if (op.aggregate) {
    const spec = op.aggregate;
    return { stage: aggregateStage(spec), columns: (c) => aggregateColumns(c, spec) };
  }
  if (op.limit !== undefined) return { stage: limitStage(op.limit), columns: same };
  return { stage: (input) => input, columns: same };
}

function compileJoin(spec: NonNullable<TransformOp["join"]>, inputs: TransformInputs): Compiled {
  let rightColumns: Columns | undefined;
  const open = async () => {
    const upstream = await inputs.openUpstream(spec.with);
    rightColumns = upstream.columns;
    return upstream.batches;
  };
  return { stage: joinStage(spec, open), columns: (c) => joinColumns(c, rightColumns, spec) };
}

export function compileTransforms(ops: readonly TransformOp[], inputs: TransformInputs): CompiledTransform {
  const around = inputs.around;
  const compiled: Compiled[] = [];
  const columnsAfter = (n: number) => compiled.slice(0, n).reduce<Columns | undefined>((cols, c) => c.columns(cols), inputs.columns);
  ops.forEach((op, i) => {
    const c = compileOp(op, i, inputs, () => columnsAfter(i));
    compiled.push(around ? { ...c, stage: around(op, i, c.stage) } : c);
  });
  const stage: Stage = (input: Batches) => compiled.reduce((stream, c) => c.stage(stream), input);
  const columns = () => columnsAfter(compiled.length);
  return { stage, columns };
}
