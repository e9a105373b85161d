/** `aggregate`: one record per group with count/sum/min/max/avg; groups keep first-seen order. */
import { StepError } from "../../errors";
import { parseMetric, type MetricFunction } from "../../pipeline/metrics";
import { ownValue, setOwn } from "../../pipeline/ownKeys";
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

function accumulate(group: Group, record: DataRecord, metrics: Metric[], row: number): void {
  group.count++;
  metrics.forEach((m, i) => {
    if (m.fn === "count" || m.column === undefined) return;
    const v = ownValue(record, m.column);
    if (v === null || v === undefined || v === "") return;
    const acc = group.acc[i] as Accumulator;
    if (m.fn === "sum" || m.fn === "avg") {
      addInteger(acc, v);
      acc.sum += numeric(v, m, row);
      acc.exact = acc.exact && isDecimalText(v) ? addDecimal(acc.exact, v) : undefined;
      acc.n++;
    } else if (better(m.fn, v, acc.best)) acc.best = v;
  });
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

export function aggregateStage(spec: AggregateSpec): Stage {
  const metrics = parseMetrics(spec.metrics);
  const newGroup = (values: DataRecord): Group => ({ values, count: 0, acc: metrics.map(() => ({ sum: 0, exact: { units: 0n, scale: 0 }, ints: undefined, integers: true, n: 0, best: undefined })) });
  return async function* (input) {
    const groups = new Map<string, Group>();
    let row = 0;
    for await (const batch of input) {
      for (const r of batch) {
        row++;
        const key = keyOf(r, spec.group_by);
        let group = groups.get(key);
        if (!group) {
          group = newGroup(Object.fromEntries(spec.group_by.map((c) => [c, ownValue(r, c) ?? null])));
          groups.set(key, group);
        }
        accumulate(group, r, metrics, row);
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
