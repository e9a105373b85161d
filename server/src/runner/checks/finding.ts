/** What one check found, and the pieces every check kind shares. */
import { stringifyJson } from "../../sources/formats/exactJson";
import type { DataRecord } from "../../sources/types";

/** Sample rows kept per failed check (events carry them; messages show the first few values). */
export const SAMPLE_ROWS = 10;
const SHOWN_VALUES = 3;

export interface Sample {
  /** 1-based position of the record in the step's output. */
  row: number;
  record: DataRecord;
  /** The value that failed (undefined: missing). */
  value: unknown;
}

export interface Finding {
  passed: boolean;
  /** Records that fail (0 for a check of the whole output: row_count, a stale freshness). */
  failed: number;
  samples: Sample[];
  /** What was found, one clause: "3 of 1,000 records have no `amount`". */
  detail: string;
  /** How to fix it, one clause (severity: warn is added by the caller). */
  fix: string;
}

/** One check over a step's output: sees every batch as it is staged, then judges. */
export interface Evaluator {
  /** `first`: the 1-based row number of `batch[0]`. */
  observe(batch: DataRecord[], first: number): void | Promise<void>;
  finish(total: number): Finding | Promise<Finding>;
}

export const count = (n: number) => n.toLocaleString("en-US");
export const records = (n: number) => `${count(n)} record${n === 1 ? "" : "s"}`;

/** "3 of 1,000 records have" / "1 of 1,000 records has": `verbs` is [singular, plural]. */
export function someOf(failed: number, total: number, verbs: readonly [string, string]): string {
  return `${count(failed)} of ${records(total)} ${failed === 1 ? verbs[0] : verbs[1]}`;
}

export function shown(value: unknown): string {
  const text = value === undefined ? "missing" : typeof value === "string" ? JSON.stringify(value) : typeof value === "bigint" ? String(value) : (stringifyJson(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** "rows 4, 17 and 230: "void", "pending"" — the first few samples, for a message. */
export function sampleText(samples: readonly Sample[], withValues = true): string {
  const first = samples.slice(0, SHOWN_VALUES);
  if (first.length === 0) return "";
  const rows = rowList(first);
  return withValues ? ` (${rows}: ${first.map((s) => shown(s.value)).join(", ")})` : ` (${rows})`;
}

/** "row 17" / "rows 4, 17, 230". */
export function rowList(samples: readonly Sample[]): string {
  return `row${samples.length === 1 ? "" : "s"} ${samples.map((s) => count(s.row)).join(", ")}`;
}

/** Keeps a copy of a failing record: later stages may change records in place. */
export function keep(samples: Sample[], row: number, record: DataRecord, value?: unknown): void {
  if (samples.length < SAMPLE_ROWS) samples.push({ row, record: { ...record }, value });
}
