/**
 * Checks judged record by record (not_null, accepted_values, range, expression) and checks of the
 * whole output (row_count, freshness). Each keeps counts and a few sample rows, never the records.
 */
import jsonata from "jsonata";
import { StepError } from "../../errors";
import type { Check } from "../../pipeline/model";
import { fieldReader } from "../../pipeline/ownKeys";
import type { DataRecord } from "../../sources/types";
import { parseDuration } from "../policy";
import { truthy } from "../transforms/expressions";
import { count, keep, records, rowList, sampleText, shown, someOf, type Evaluator, type Finding, type Sample } from "./finding";

/** No value: null, missing, or empty text (an empty CSV cell that no cast has turned into null). */
export const isEmpty = (v: unknown) => v === null || v === undefined || v === "";

function judged(failed: number, samples: Sample[], detail: string, fix: string): Finding {
  return { passed: failed === 0, failed, samples, detail, fix };
}

export function notNull(columns: readonly string[]): Evaluator {
  const readers = columns.map(fieldReader);
  const missing = columns.map(() => 0);
  const samples: Sample[] = [];
  let failed = 0;
  return {
    observe(batch, first) {
      for (let r = 0; r < batch.length; r++) {
        const record = batch[r] as DataRecord;
        let bad = -1;
        for (let c = 0; c < readers.length; c++) {
          if (isEmpty((readers[c] as (x: DataRecord) => unknown)(record))) {
            missing[c] = (missing[c] as number) + 1;
            if (bad < 0) bad = c;
          }
        }
        if (bad < 0) continue;
        failed++;
        keep(samples, first + r, record, `\`${columns[bad]}\` empty`);
      }
    },
    finish(total) {
      const empty = columns.map((c, i) => [c, missing[i] as number] as const).filter(([, n]) => n > 0);
      const which = empty.length === 1 ? `\`${empty[0]?.[0]}\`` : empty.map(([c, n]) => `\`${c}\` (${count(n)})`).join(", ");
      const rows = samples.length > 0 ? ` (${rowList(samples.slice(0, 3))})` : "";
      const guard = columns.map((c) => `${c} != null`).join(" and ");
      return judged(failed, samples, `${someOf(failed, total, ["has", "have"])} no value in ${which}${rows}`, `fix the source, or drop those records first with a \`filter: ${guard}\``);
    },
  };
}

export function acceptedValues(spec: NonNullable<Check["accepted_values"]>): Evaluator {
  const read = fieldReader(spec.column);
  const allowed = new Set(spec.values.map(String));
  const samples: Sample[] = [];
  let failed = 0;
  return {
    observe(batch, first) {
      for (let r = 0; r < batch.length; r++) {
        const v = read(batch[r] as DataRecord);
        if (v === null || v === undefined || allowed.has(typeof v === "string" ? v : String(v))) continue;
        failed++;
        keep(samples, first + r, batch[r] as DataRecord, v);
      }
    },
    finish(total) {
      const list = spec.values.map((v) => JSON.stringify(v)).join(", ");
      return judged(failed, samples, `${someOf(failed, total, ["has", "have"])} a \`${spec.column}\` that is not one of ${list}${sampleText(samples)}`, `add the values to \`values\` if they are valid, or fix the source, or drop those records first with a \`filter: ${spec.column} in [${list}]\``);
    },
  };
}

function asNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "") return Number(v);
  return Number.NaN;
}

export function range(spec: NonNullable<Check["range"]>): Evaluator {
  const read = fieldReader(spec.column);
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  const samples: Sample[] = [];
  let failed = 0;
  return {
    observe(batch, first) {
      for (let r = 0; r < batch.length; r++) {
        const v = read(batch[r] as DataRecord);
        if (v === null || v === undefined) continue;
        const n = asNumber(v);
        if (n >= min && n <= max) continue;
        failed++;
        keep(samples, first + r, batch[r] as DataRecord, v);
      }
    },
    finish(total) {
      const bounds = spec.min !== undefined && spec.max !== undefined ? `between ${spec.min} and ${spec.max}` : spec.min !== undefined ? `at least ${spec.min}` : `at most ${spec.max}`;
      const guard = [spec.min !== undefined ? `${spec.column} >= ${spec.min}` : "", spec.max !== undefined ? `${spec.column} <= ${spec.max}` : ""].filter(Boolean).join(" and ");
      return judged(failed, samples, `${someOf(failed, total, ["has", "have"])} a \`${spec.column}\` that is not a number ${bounds}${sampleText(samples)}`, `fix the source, or change \`min\`/\`max\` if those values are valid, or drop those records first with a \`filter: ${guard}\``);
    },
  };
}

/**
 * A record whose expression fails to evaluate (`null >= 0` is an error in JSONata) fails the check:
 * it was not shown to hold. The first such error is quoted, as it is often the expression's fault.
 */
export function expression(text: string): Evaluator {
  let expr: jsonata.Expression;
  try {
    expr = jsonata(text);
  } catch (err: unknown) {
    throw new StepError("invalid-expression", `check expression \`${text}\` does not parse: ${(err as { message?: string }).message ?? String(err)}`);
  }
  const samples: Sample[] = [];
  let failed = 0;
  let errors = 0;
  let firstError = "";
  return {
    async observe(batch, first) {
      for (let r = 0; r < batch.length; r++) {
        const record = batch[r] as DataRecord;
        let result: unknown;
        try {
          result = await expr.evaluate(record);
        } catch (err: unknown) {
          if (errors++ === 0) firstError = `row ${count(first + r)}: ${(err as { message?: string }).message ?? String(err)}`;
          result = false;
        }
        if (truthy(result)) continue;
        failed++;
        keep(samples, first + r, record, result);
      }
    },
    finish(total) {
      const rows = samples.length > 0 ? ` (${rowList(samples.slice(0, 3))})` : "";
      const broke = errors > 0 ? `; ${count(errors)} of them could not be evaluated (${firstError})` : "";
      const hint = errors > 0 ? " (comparing a null, or a decimal kept as text, fails: cast the column to `number`, or test it first, e.g. `amount != null and amount >= 0`)" : "";
      return judged(failed, samples, `${someOf(failed, total, ["makes", "make"])} \`${text}\` false${rows}${broke}`, `fix the source, or drop those records first with a \`filter\` of the same expression${hint}`);
    },
  };
}

export function rowCount(spec: NonNullable<Check["row_count"]>): Evaluator {
  return {
    observe() {},
    finish(total) {
      const low = spec.min !== undefined && total < spec.min;
      const high = spec.max !== undefined && total > spec.max;
      const bounds = [spec.min !== undefined ? `at least ${count(spec.min)}` : "", spec.max !== undefined ? `at most ${count(spec.max)}` : ""];
      const wanted = (low ? bounds[0] : high ? bounds[1] : bounds.filter(Boolean).join(" and ")) ?? "";
      return { passed: !low && !high, failed: 0, samples: [], detail: `the step output ${records(total)}; the check wants ${wanted}`, fix: low ? "check the source and any `filter` upstream (an empty extract is often a wrong path, key or date), or lower `min`" : "check for duplicated input or a join that multiplies records, or raise `max`" };
    },
  };
}

/** A timestamp in milliseconds, or NaN: ISO 8601 text or a Date (numbers are refused: seconds or milliseconds?). */
function timeOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) return Date.parse(v.length > 10 && v[10] === " " ? `${v.slice(0, 10)}T${v.slice(11)}` : v);
  return Number.NaN;
}

export function freshness(spec: NonNullable<Check["freshness"]>, now: () => number = Date.now): Evaluator {
  const read = fieldReader(spec.column);
  const maxAge = parseDuration(spec.max_age);
  const samples: Sample[] = [];
  let failed = 0;
  let newest = -Infinity;
  let newestValue: unknown;
  return {
    observe(batch, first) {
      for (let r = 0; r < batch.length; r++) {
        const v = read(batch[r] as DataRecord);
        if (v === null || v === undefined || v === "") continue;
        const t = timeOf(v);
        if (t > newest) {
          newest = t;
          newestValue = v;
        } else if (Number.isNaN(t)) {
          failed++;
          keep(samples, first + r, batch[r] as DataRecord, v);
        }
      }
    },
    finish(total) {
      if (failed > 0) return judged(failed, samples, `${someOf(failed, total, ["has", "have"])} a \`${spec.column}\` that is not a timestamp${sampleText(samples)}`, `cast \`${spec.column}\` to timestamp in a transform (ISO 8601, e.g. 2024-01-31T12:00:00Z), or fix the source`);
      const age = now() - newest;
      const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10}h`;
      if (newest === -Infinity) return { passed: false, failed: 0, samples: [], detail: `no record has a \`${spec.column}\`, so the data's age is unknown`, fix: "check the source and the column name" };
      return { passed: age <= maxAge, failed: 0, samples: [], detail: `the newest \`${spec.column}\` is ${shown(newestValue)}, ${hours(age)} old; the check allows ${spec.max_age}`, fix: "the source may have stopped receiving data, or the extract reads an old copy: fix the source, or raise `max_age`" };
    },
  };
}
