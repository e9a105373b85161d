/** Records a transform op could not handle, under `on_error: quarantine`: left out of the output and kept here. */
import type { DataRecord } from "../../sources/types";

export interface Rejection {
  /** The op's position in the step's transform list, from 1. */
  op: number;
  /** The record's position in the op's input, from 1. */
  row: number;
  /** The column being cast or derived; null for a `filter`. */
  column: string | null;
  /** The value that did not cast; null for an expression (the record holds its inputs). */
  value: unknown;
  reason: string;
  /** The record as the op left it (columns cast or derived before the failing one already changed). */
  record: DataRecord;
}

/** Where an op hands a rejected record; without one, an op's failure fails the step (`on_error: fail`). */
export interface Rejects {
  reject(rejection: Rejection): void;
}
