/**
 * `on_error: quarantine`: the records a transform step's ops reject, and the lines an extract
 * cannot parse, are left out of its output and written, one JSON line each, to
 * `<run_id>/<step_id>.rejected.jsonl` in the run's staging (a transform's: op, row, column, value,
 * reason, record; an extract's: source, line, text, reason). They stream to a local temp file as
 * they come (memory stays bounded however many there are), which is copied into staging once the
 * step has read all its input. More than `max_rejected` of them fail the step, with its output
 * unstaged, so nothing downstream reads it.
 */
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { StepError } from "../errors";
import type { BadLine } from "../sources/formats";
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
  /** Records the step read (for an extract: the records and the rejected lines). */
  rows: number;
  rejected: number;
  max_rejected: string;
  /** Where the rejected records are: the staging location and key. */
  file: string;
}

/** Written to the temp file in pieces of about this many characters. */
const FLUSH_AT = 1 << 16;

export class Quarantine implements Rejects {
  private readonly path = join(tmpdir(), `agent-etl-rejected-${randomUUID()}.jsonl`);
  private readonly fd = openSync(this.path, "w", 0o600);
  private pending = "";
  private closed = false;
  /** How many were rejected. */
  count = 0;

  reject(r: Rejection): void {
    this.add(stringifyJson({ op: r.op, row: r.row, column: r.column, value: r.value, reason: r.reason, record: r.record }));
  }

  /** An extract's line that did not parse. */
  rejectLine(bad: BadLine): void {
    this.add(stringifyJson({ source: bad.source, line: bad.line, text: bad.text, reason: bad.reason }));
  }

  /**
   * Puts the rejected records into staging (an empty file when there are none) and says how many;
   * throws `too-many-rejected` past the limit. The temp file is gone afterwards either way.
   */
  async finish(store: StagingStore, runId: string, stepId: string, inputRows: number, max: number | string, told: (report: QuarantineReport) => void): Promise<void> {
    const key = rejectedKey(runId, stepId);
    try {
      this.flush();
      this.close();
      await store.copyFile(key, this.path);
    } finally {
      this.discard();
    }
    const file = `${store.describe().replace(/\/?$/, "/")}${key}`;
    const rejected = this.count;
    told({ step: stepId, rows: inputRows, rejected, max_rejected: String(max), file });
    const allowed = allowedRejects(max, inputRows);
    if (rejected > allowed) {
      throw new StepError(
        "too-many-rejected",
        `step \`${stepId}\` rejected ${rejected} of ${inputRows} records, more than max_rejected ${String(max)} allows (${allowed}); nothing downstream ran. The records and reasons are in ${file}: fix the data or the step's ops, or raise \`max_rejected\``,
      );
    }
  }

  /** Removes the temp file (a step that failed before `finish`). */
  discard(): void {
    this.close();
    rmSync(this.path, { force: true });
  }

  private add(line: string): void {
    this.count++;
    this.pending += `${line}\n`;
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending);
    this.pending = "";
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
