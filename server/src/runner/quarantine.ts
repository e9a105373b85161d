/**
 * `on_error: quarantine` on a transform step: the records its ops reject are left out of its
 * output and written, one JSON line each (op, row, column, value, reason, record), to
 * `<run_id>/<step_id>.rejected.jsonl` in the run's staging; more than `max_rejected` of them
 * fail the step, with its output unstaged, so nothing downstream reads it.
 */
import { StepError } from "../errors";
import { stringifyJson } from "../sources/formats/exactJson";
import type { StagingStore } from "../sources/staging";
import type { Rejection, Rejects } from "./transforms";

export const rejectedKey = (runId: string, stepId: string) => `${runId}/${stepId}.rejected.jsonl`;

/** How many of `inputRows` records `max_rejected` lets go: a count, or a share (`0.5%`) rounded down. */
export function allowedRejects(max: number | string, inputRows: number): number {
  if (typeof max === "number") return max;
  return Math.floor((inputRows * Number(max.slice(0, -1))) / 100);
}

export interface QuarantineReport {
  step: string;
  /** Records the step read. */
  rows: number;
  rejected: number;
  max_rejected: string;
  /** Where the rejected records are: the staging location and key. */
  file: string;
}

export class Quarantine implements Rejects {
  private readonly lines: string[] = [];

  reject(r: Rejection): void {
    this.lines.push(`${stringifyJson({ op: r.op, row: r.row, column: r.column, value: r.value, reason: r.reason, record: r.record })}\n`);
  }

  /** Writes the rejected records (an empty file when there are none) and says how many; throws `too-many-rejected` past the limit. */
  async finish(store: StagingStore, runId: string, stepId: string, inputRows: number, max: number | string, told: (report: QuarantineReport) => void): Promise<void> {
    const key = rejectedKey(runId, stepId);
    await store.write(key, this.body());
    const file = `${store.describe().replace(/\/?$/, "/")}${key}`;
    const rejected = this.lines.length;
    told({ step: stepId, rows: inputRows, rejected, max_rejected: String(max), file });
    const allowed = allowedRejects(max, inputRows);
    if (rejected > allowed) {
      throw new StepError(
        "too-many-rejected",
        `step \`${stepId}\` rejected ${rejected} of ${inputRows} records, more than max_rejected ${String(max)} allows (${allowed}); nothing downstream ran. The records and reasons are in ${file}: fix the data or the step's ops, or raise \`max_rejected\``,
      );
    }
  }

  private async *body(): AsyncGenerator<string> {
    yield this.lines.join("");
  }
}
