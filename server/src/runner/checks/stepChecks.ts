/**
 * A step's `checks:` over its output as it is staged (steps.ts): every batch goes through each
 * check on its way to staging, so they cost one pass and bounded memory; when the output is
 * complete each check judges, and a failed `error` check fails the step before it counts as
 * succeeded, so nothing downstream reads the records (a load streaming from it rolls back).
 */
import { StepError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";
import { CHECK_KINDS, type Check, type CheckKind } from "../../pipeline/model";
import type { DataRecord } from "../../sources/types";
import type { Evaluator, Finding } from "./finding";
import { acceptedValues, expression, freshness, notNull, range, rowCount } from "./rowChecks";
import { unique } from "./uniqueCheck";

/** What one check found, ready for the events file and the logs (secrets scrubbed). */
export interface CheckOutcome {
  step: string;
  /** 1-based position in the step's `checks:` list. */
  index: number;
  kind: CheckKind;
  /** How the check reads in the file, e.g. `unique: [order_id]`. */
  check: string;
  severity: "error" | "warn";
  passed: boolean;
  /** Records checked, and how many failed. */
  rows: number;
  failed: number;
  message: string;
  samples: { row: number; record: DataRecord }[];
}

export interface CheckOptions {
  /** The step's staged output again (unique's exact pass). */
  reread: () => Promise<AsyncIterable<DataRecord[]>>;
  secrets: readonly string[];
  now?: () => number;
}

export function kindOf(check: Check): CheckKind {
  return CHECK_KINDS.find((k) => check[k] !== undefined) as CheckKind;
}

export function checkLabel(check: Check): string {
  const kind = kindOf(check);
  const value = check[kind];
  if (Array.isArray(value)) return `${kind}: [${value.join(", ")}]`;
  if (typeof value === "string") return `${kind}: ${JSON.stringify(value)}`;
  const column = (value as { column?: string }).column;
  return column !== undefined ? `${kind} on ${column}` : kind;
}

function evaluator(check: Check, options: CheckOptions): Evaluator {
  if (check.not_null) return notNull(check.not_null);
  if (check.unique) return unique(check.unique, options.reread);
  if (check.accepted_values) return acceptedValues(check.accepted_values);
  if (check.range) return range(check.range);
  if (check.row_count) return rowCount(check.row_count);
  if (check.freshness) return freshness(check.freshness, options.now);
  return expression(check.expression as string);
}

const LONGEST_VALUE = 200;

/** A sample record as events carry it: secrets scrubbed from its text, long values cut. */
function scrubbed(record: DataRecord, secrets: readonly string[]): DataRecord {
  const out: DataRecord = {};
  for (const [k, v] of Object.entries(record)) {
    const value = typeof v === "bigint" ? v.toString() : v;
    if (typeof value !== "string") Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    else {
      const clean = scrubSecrets(value, secrets);
      Object.defineProperty(out, k, { value: clean.length > LONGEST_VALUE ? `${clean.slice(0, LONGEST_VALUE - 1)}…` : clean, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

function outcome(step: string, check: Check, index: number, total: number, found: Finding, secrets: readonly string[]): CheckOutcome {
  const severity = check.severity ?? "error";
  const label = checkLabel(check);
  const fix = severity === "error" ? `${found.fix}; or set \`severity: warn\` on the check to report it and go on` : found.fix;
  const message = scrubSecrets(`step \`${step}\`, check ${index} \`${label}\`: ${found.detail}. To fix: ${fix}`, secrets);
  const samples = found.samples.map((s) => ({ row: s.row, record: scrubbed(s.record, secrets) }));
  return { step, index, kind: kindOf(check), check: label, severity, passed: found.passed, rows: total, failed: found.failed, message, samples };
}

export class StepChecks {
  private readonly evaluators: Evaluator[];
  private next = 1;

  constructor(
    private readonly step: string,
    private readonly checks: readonly Check[],
    private readonly options: CheckOptions,
  ) {
    this.evaluators = checks.map((c) => evaluator(c, options));
  }

  /** Sees one batch on its way to staging; a promise only when an expression check needs one. */
  observe = (batch: DataRecord[]): void | Promise<void> => {
    const first = this.next;
    this.next += batch.length;
    let pending: Promise<void>[] | undefined;
    for (const e of this.evaluators) {
      const done = e.observe(batch, first);
      if (done) (pending ??= []).push(done);
    }
    if (pending) return Promise.all(pending).then(() => undefined);
  };

  /** Judges every check over the `total` records staged. */
  async finish(total: number): Promise<CheckOutcome[]> {
    const out: CheckOutcome[] = [];
    for (let i = 0; i < this.evaluators.length; i++) {
      const found = await (this.evaluators[i] as Evaluator).finish(total);
      out.push(outcome(this.step, this.checks[i] as Check, i + 1, total, found, this.options.secrets));
    }
    return out;
  }
}

/** The step's error: every failed `error` check, each with what failed, how many and how to fix it. */
export function checkFailure(step: string, failed: readonly CheckOutcome[]): StepError {
  if (failed.length === 1) return new StepError("check-failed", `check failed: ${failed[0]?.message ?? ""}`);
  return new StepError("check-failed", `${failed.length} checks failed on step \`${step}\`:\n${failed.map((f) => `  - ${f.message}`).join("\n")}`);
}
