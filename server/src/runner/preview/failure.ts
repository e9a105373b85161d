/**
 * What a preview reports when it cannot show rows: a stable code, a scrubbed message, a fix when
 * one is known, the step that failed, and whether the request itself was wrong (usage: exit 2).
 */
import { EtlError, UsageError } from "../../errors";
import { describeFailure } from "../failure";

export class PreviewFailure extends EtlError {
  constructor(
    code: string,
    message: string,
    readonly fix: string | null,
    readonly step: string | null,
    /** The request was wrong (unknown step, a `sql` step, a bad param), not the step's data or code. */
    readonly usage = false,
  ) {
    super(code, message);
  }
}

/** What to do about the step failures people meet most in a preview, by code. */
const FIXES: Readonly<Record<string, string>> = {
  "expression-failed": "check the expression against the step's input columns (preview the input step to see them), or guard it, e.g. `$exists(x) ? x : null`",
  "invalid-expression": "fix the JSONata expression (see docs/pipeline-spec.md, Transforms)",
  "cast-failed": "filter such rows out before the cast, or cast the column to `string`",
  "aggregate-failed": "cast the column to a number first, or filter such rows out",
  "bad-metric": "write the metric as count(), sum(col), min(col), max(col) or avg(col)",
  "missing-secret": "set the variable (or add it to the .env file beside the pipeline) and preview again",
  "not-found": "check the step's `path` or `key` and the connection's root or prefix",
  template: "pass the value with --param NAME=VALUE, or declare it under `params:`",
};

export interface PreviewErrorJson {
  code: string;
  message: string;
  fix: string | null;
  step: string | null;
}

/** Any failure of a preview as the contract's `error` object; secrets scrubbed out of every text. */
export function previewError(err: unknown, secrets: readonly string[]): PreviewErrorJson & { usage: boolean } {
  const f = describeFailure(err, secrets);
  if (err instanceof PreviewFailure) return { code: f.code, message: f.message, fix: err.fix === null ? null : describeFailure(new EtlError("fix", err.fix), secrets).message, step: err.step, usage: err.usage };
  return { code: f.code, message: f.message, fix: FIXES[f.code] ?? null, step: null, usage: err instanceof UsageError || f.code === "input" };
}

/** Tags a failure inside step `step`'s stream with the step (the innermost step that failed keeps it). */
export function inStep(err: unknown, step: string, secrets: readonly string[]): PreviewFailure {
  if (err instanceof PreviewFailure) return err;
  const f = describeFailure(err, secrets);
  return new PreviewFailure(f.code, f.message, FIXES[f.code] ?? null, step);
}
