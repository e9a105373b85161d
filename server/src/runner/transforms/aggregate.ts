/** `aggregate`: one record per group with count/sum/min/max/avg; groups keep first-seen order. */
import { StepError } from "../../errors";
import { parseMetric, type MetricFunction } from "../../pipeline/metrics";
import { isInheritedName, ownValue, setOwn } from "../../pipeline/ownKeys";
import { stringifyJson } from "../../sources/formats/exactJson";
import type { DataRecord } from "../../sources/types";
import { addDecimal, decimalText, isDecimalText, type DecimalSum } from "./decimal";
import { keyOf } from "./simple";
import type { Columns, Stage } from "./stage";

export interface AggregateSpec {
  group_by: string[];
  metrics: Record<string, string>;
}

type Fn = MetricFunction;

interface Metric {
  name: string;
  fn: Fn;
  column?: string;
}

interface Accumulator {
  sum: number;
  /** Exact sum while every value is decimal text (what `cast: decimal` produces). */
  exact: DecimalSum | undefined;
  /** Exact sum once an exact integer (BigInt) comes, while every value is an integer; the double sum stays exact until then. */
  ints: bigint | undefined;
  /** Every value so far was an integer (number or BigInt). */
  integers: boolean;
  n: number;
  best: unknown;
  /** `best` is text that is not decimal text: any text then compares with it as text. */
  bestIsText: boolean;
}

interface CompiledMetric {
  read: (record: DataRecord) => unknown;
  /** Undefined for count(). */
  update: Update | undefined;
}

interface Group {
  values: DataRecord;
  count: number;
  acc: Accumulator[];
}

export function parseMetrics(metrics: Record<string, string>): Metric[] {
  return Object.entries(metrics).map(([name, text]) => {
    const m = parseMetric(text);
    if (!m) throw new StepError("bad-metric", `metric \`${name}: ${text}\` is not one of count(), sum(col), min(col), max(col), avg(col)`);
    return m.column === undefined ? { name, fn: "count" } : { name, fn: m.fn, column: m.column };
  });
}

function numeric(value: unknown, metric: Metric, row: number): number {
  const n = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (Number.isNaN(n)) throw new StepError("aggregate-failed", `aggregate ${metric.name}: ${metric.fn}(${metric.column}) at row ${row}: value ${stringifyJson(value)} is not a number; cast the column first or filter such rows out`);
  return n;
}

/** Numbers and decimal text compare as numbers; other values (ISO dates, names) as they are. */
function better(fn: Fn, candidate: unknown, best: unknown): boolean {
  if (best === undefined) return true;
  const exact = (v: unknown) => typeof v === "number" || typeof v === "bigint";
  // Numbers and BigInts compare exactly with each other; decimal text as a double.
  if (exact(candidate) && exact(best)) return fn === "min" ? (candidate as number) < (best as number) : (candidate as number) > (best as number);
  const numeric = (exact(candidate) || isDecimalText(candidate)) && (exact(best) || isDecimalText(best));
  const a = numeric ? Number(candidate) : (candidate as string);
  const b = numeric ? Number(best) : (best as string);
  return fn === "min" ? a < b : a > b;
}

function addInteger(acc: Accumulator, v: unknown): void {
  if (!acc.integers) return;
  if (typeof v === "bigint") acc.ints = (acc.ints ?? BigInt(acc.sum)) + v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) {
    if (acc.ints !== undefined) acc.ints += BigInt(v);
  } else {
    acc.integers = false;
    acc.ints = undefined;
  }
}

/** A sum of integers with a BigInt among them: a number again when a double holds it exactly. */
function integerSum(sum: bigint): number | bigint {
  return sum >= BigInt(Number.MIN_SAFE_INTEGER) && sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum;
}

/**
 * The per-record work of one metric, chosen once: numbers take a short path (a double sum, and the
 * integer checks), every other value the general one (exact decimal text, BigInts, text order).
 */
type Update = (acc: Accumulator, v: unknown, row: number) => void;

function addNumber(acc: Accumulator, v: number): void {
  acc.sum += v;
  acc.n++;
  acc.exact = undefined;
  if (!acc.integers) return;
  if (!Number.isSafeInteger(v)) {
    acc.integers = false;
    acc.ints = undefined;
  } else if (acc.ints !== undefined) acc.ints += BigInt(v);
}

function updater(m: Metric): Update {
  if (m.fn === "sum" || m.fn === "avg") {
    return (acc, v, row) => {
      if (typeof v === "number" && !Number.isNaN(v)) return addNumber(acc, v);
      addInteger(acc, v);
      acc.sum += numeric(v, m, row);
      acc.exact = acc.exact && isDecimalText(v) ? addDecimal(acc.exact, v) : undefined;
      acc.n++;
    };
  }
  const fn = m.fn;
  return (acc, v) => {
    const best = acc.best;
    // Numbers, and text that is not decimal text (names, ISO dates), compare as they are.
    if (typeof v === "number" && typeof best === "number") {
      if (fn === "min" ? v < best : v > best) acc.best = v;
    } else if (typeof v === "string" && acc.bestIsText) {
      // Against text that is not decimal text, any text compares as text (see `better`).
      if (fn === "min" ? v < (best as string) : v > (best as string)) {
        acc.best = v;
        acc.bestIsText = !isDecimalText(v);
      }
    } else if (better(fn, v, best)) {
      acc.best = v;
      acc.bestIsText = typeof v === "string" && !isDecimalText(v);
    }
  };
}

function accumulate(group: Group, record: DataRecord, metrics: readonly CompiledMetric[], row: number): void {
  group.count++;
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i] as CompiledMetric;
    if (m.update === undefined) continue;
    const v = m.read(record);
    if (v === null || v === undefined || v === "") continue;
    m.update(group.acc[i] as Accumulator, v, row);
  }
}

function result(group: Group, metrics: Metric[]): DataRecord {
  const out: DataRecord = { ...group.values };
  metrics.forEach((m, i) => {
    const acc = group.acc[i] as Accumulator;
    if (m.fn === "count") setOwn(out, m.name, group.count);
    else if (m.fn === "sum") setOwn(out, m.name, acc.n === 0 ? null : acc.ints !== undefined ? integerSum(acc.ints) : acc.exact ? decimalText(acc.exact) : acc.sum);
    else if (m.fn === "avg") setOwn(out, m.name, acc.n > 0 ? acc.sum / acc.n : null);
    else setOwn(out, m.name, acc.best ?? null);
  });
  return out;
}

/** Reads a column: a plain property read unless a record could inherit the name (`constructor`…). */
function reader(column: string): (record: DataRecord) => unknown {
  return isInheritedName(column) ? (r) => ownValue(r, column) : (r) => r[column];
}

/**
 * The group key. For one column, `keyOf` without its constant separator: text is its own key, so
 * no new string per record ("1" and 1 still share a group, null has its own).
 */
function grouper(columns: readonly string[]): (record: DataRecord) => string {
  if (columns.length !== 1) return (r) => keyOf(r, columns);
  const read = reader(columns[0] as string);
  return (r) => {
    const v = read(r);
    return typeof v === "string" ? v : v === null || v === undefined ? "\u0000" : typeof v === "object" ? (stringifyJson(v) as string) : String(v);
  };
}

export function aggregateStage(spec: AggregateSpec): Stage {
  const metrics = parseMetrics(spec.metrics);
  const compiled: CompiledMetric[] = metrics.map((m) => ({ read: m.column === undefined ? () => undefined : reader(m.column), update: m.fn === "count" || m.column === undefined ? undefined : updater(m) }));
  const groupKey = grouper(spec.group_by);
  const newGroup = (values: DataRecord): Group => ({ values, count: 0, acc: metrics.map(() => ({ sum: 0, exact: { units: 0n, scale: 0 }, ints: undefined, integers: true, n: 0, best: undefined, bestIsText: false })) });
  return async function* (input) {
    const groups = new Map<string, Group>();
    let row = 0;
    for await (const batch of input) {
      for (const r of batch) {
        row++;
        const key = groupKey(r);
        let group = groups.get(key);
        if (!group) {
          group = newGroup(Object.fromEntries(spec.group_by.map((c) => [c, ownValue(r, c) ?? null])));
          groups.set(key, group);
        }
        accumulate(group, r, compiled, row);
      }
    }
    if (groups.size === 0 && spec.group_by.length === 0) groups.set("", newGroup({}));
    const out = [...groups.values()].map((g) => result(g, metrics));
    for (let i = 0; i < out.length; i += 1000) yield out.slice(i, i + 1000);
  };
}

export function aggregateColumns(columns: Columns | undefined, spec: AggregateSpec): Columns | undefined {
  const out: Columns = {};
  const typeOf = (c: string) => (columns ? ownValue(columns, c) : undefined);
  for (const c of spec.group_by) {
    const type = typeOf(c);
    if (type) setOwn(out, c, type);
  }
  for (const m of parseMetrics(spec.metrics)) {
    const source = m.column ? typeOf(m.column) : undefined;
    if (m.fn === "count") setOwn(out, m.name, "integer");
    else if (m.fn === "avg") setOwn(out, m.name, "number");
    else if (m.fn === "sum") setOwn(out, m.name, source === "integer" ? "integer" : source === "decimal" ? "decimal" : "number");
    else if (source) setOwn(out, m.name, source);
  }
  return out;
}
