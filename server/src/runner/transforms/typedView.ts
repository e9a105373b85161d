/**
 * What a JSONata expression sees of a record: its columns as their known types. A `decimal` is kept
 * as exact text and an integer beyond 2^53 as a BigInt (docs/pipeline-spec.md, "Numbers"); JSONata
 * compares and computes only with JS numbers, so it would call `"10.50" > 0` a type error. The view
 * shows such columns as numbers (and an empty one as missing), for evaluation only: the record itself keeps its exact values, so
 * a filter passes it on unchanged and a derive that only copies a column copies the exact value.
 */
import type { ColumnType } from "../../pipeline/model";
import { fieldReader, setOwn } from "../../pipeline/ownKeys";
import type { DataRecord } from "../../sources/types";
import type { Columns } from "./stage";

const NUMERIC: ReadonlySet<ColumnType> = new Set<ColumnType>(["integer", "number", "decimal"]);
/** Decimal text as `cast: decimal` accepts it (exponent included); "NaN" and "Infinity" are not. */
const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The number an exactly kept numeric value stands for, or undefined when it is already one (or not numeric). */
function asNumber(value: unknown): number | undefined {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && DECIMAL_TEXT.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const SAME = (record: DataRecord): DataRecord => record;

/**
 * A function from a record to the record JSONata evaluates: the record itself, or a shallow copy in
 * which the columns typed `integer`, `number` or `decimal` by `columns` hold JS numbers. Built once
 * per stage (the types are known once the stage's input has started), called per record.
 */
export function evaluationView(columns: Columns | undefined): (record: DataRecord) => DataRecord {
  const numeric = columns ? Object.keys(columns).filter((name) => NUMERIC.has(columns[name] as ColumnType)) : [];
  if (numeric.length === 0) return SAME;
  const fields = numeric.map((name) => ({ name, read: fieldReader(name) }));
  return (record) => {
    let view: DataRecord | undefined;
    for (const f of fields) {
      const value = f.read(record);
      // null (an empty cell) is missing in the view, so `amount > 0` is false for it, as with SQL's
      // NULL, instead of JSONata's "must evaluate to numeric or string values".
      const n = value === null ? undefined : asNumber(value);
      if (n === undefined && value !== null) continue;
      // Spread keeps own keys, `__proto__` included (ownKeys.ts).
      view ??= { ...record };
      setOwn(view, f.name, n);
    }
    return view ?? record;
  };
}

interface PathAst {
  type: string;
  steps?: { type: string; value?: unknown; stages?: unknown; predicate?: unknown; group?: unknown }[];
}

/**
 * The column an expression only reads and returns (`amount`, `` `unit price` ``), or undefined. A
 * derive of such an expression copies the record's exact value, not the view's number.
 */
export function passThroughColumn(ast: unknown): string | undefined {
  const path = ast as PathAst;
  if (path.type !== "path" || path.steps?.length !== 1) return undefined;
  const step = path.steps[0];
  if (!step || step.type !== "name" || typeof step.value !== "string" || step.stages || step.predicate || step.group) return undefined;
  return step.value;
}
