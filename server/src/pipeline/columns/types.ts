/** Shapes of schema propagation: the columns each step outputs, and every place a column is named. */
import type { ColumnType } from "../model";
import type { Span } from "../problem";

/** A column; `type` is absent when it cannot be known (e.g. a derive whose JSONata type is unclear). */
export interface Column {
  name: string;
  type?: ColumnType;
}

/** A certain list of columns, or "unknown" (analysis failed, still loading, or not knowable). */
export type ColumnSet = readonly Column[] | "unknown";

/** What the live layer knows of each extract's source: step id → the columns of its table/query/object. */
export type SourceColumns = ReadonlyMap<string, ColumnSet>;

/** Where a column is named. */
export type RefRole =
  | "select"
  | "drop"
  | "rename"
  | "cast"
  | "dedupe"
  | "join.on"
  | "group_by"
  | "metric"
  | "expression"
  | "load.key"
  | "extract.columns"
  | "incremental"
  | "check";

export interface ColumnRef {
  name: string;
  span: Span;
  role: RefRole;
  /** The step the reference is written in. */
  stepId: string;
  /** Transform op index, for refs inside `transform`. */
  opIndex?: number;
  /** The columns it must be one of, and the step they come from (for messages). */
  against: ColumnSet;
  from: string;
}

export interface StepColumns {
  /** What the step reads: an extract's source columns, a transform's or load's upstream output. */
  input: ColumnSet;
  /** The columns before each transform op (transforms only); `opInputs[i]` is what op i sees. */
  opInputs: ColumnSet[];
  /** For each `join` op, by op index: the right side's columns. */
  joinRight: Map<number, ColumnSet>;
  output: ColumnSet;
}

export interface Propagation {
  steps: Map<string, StepColumns>;
  refs: ColumnRef[];
}

export function typeIn(set: ColumnSet, name: string): ColumnType | undefined {
  return set === "unknown" ? undefined : set.find((c) => c.name === name)?.type;
}

/** Adds or replaces a column, keeping the place of a replaced one (as a JS object key does at run time). */
export function withColumn(set: readonly Column[], column: Column): Column[] {
  const i = set.findIndex((c) => c.name === column.name);
  if (i < 0) return [...set, column];
  const out = [...set];
  out[i] = column;
  return out;
}
