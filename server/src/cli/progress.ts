/**
 * What a person sees during a run: on a terminal, a live line per step (spinner, rows, rows/s)
 * redrawn in place, which gives way to the summary table at the end; elsewhere, one plain line per
 * event (a log, as Airflow and CI keep it), then the table.
 */
import { printable } from "../controlChars";
import { formatCount, formatDuration } from "../format/numbers";
import type { Heard } from "../runner/events";
import type { RunReport } from "../runner/runPipeline";

export type Write = (text: string) => void;

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

function rate(rows: number, ms: number): string {
  return ms > 0 ? `${formatCount(Math.round((rows * 1000) / ms))} rows/s` : "";
}

/** One line per event, for logs and pipes. */
export function plainListener(write: Write): (e: Heard) => void {
  return (e) => {
    if (e.event === "run_started") write(`run ${e.run_id}: pipeline ${e.pipeline}, ds ${e.ds}, ${e.steps.length} step${e.steps.length === 1 ? "" : "s"}, concurrency ${e.concurrency}`);
    else if (e.event === "step_started") write(`▶ ${e.step} started (${e.kind})`);
    else if (e.event === "step_retry") write(`↻ ${e.step} attempt ${e.attempt} in ${formatDuration(e.delay_ms)}: ${printable(e.error)}`);
    else if (e.event === "step_succeeded") write(`✓ ${e.step}: ${formatCount(e.rows)} rows in ${formatDuration(e.duration_ms)} (${rate(e.rows, e.duration_ms)})`);
    else if (e.event === "step_failed") write(`✖ ${e.step} failed after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"} [${e.code}]: ${printable(e.error)}`);
    else if (e.event === "step_phase") write(`… ${e.step}: ${printable(e.note)}`);
    else if (e.event === "check_failed" && e.severity === "warn") write(`⚠ ${printable(e.message)}`);
  };
}

interface Line {
  /** `streaming`: reading its upstream's rows as they are made, before the scheduler reached it. */
  status: "waiting" | "streaming" | "running" | "retrying" | "done" | "failed" | "skipped";
  rows: number;
  perSecond: number;
  ms: number;
  note: string;
}

/** East Asian wide and fullwidth characters, and emoji: two terminal columns each. */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

const columnsOf = (char: string) => (WIDE.test(char) ? 2 : 1);

/** One terminal row: controls and line breaks shown as spaces, cut with `…` to fit `columns` - 1 screen columns. */
export function fit(text: string, columns: number | undefined): string {
  const clean = printable(text).replace(/\n/g, " ");
  const chars = Array.from(clean);
  if (columns === undefined || columns < 2 || chars.reduce((n, c) => n + columnsOf(c), 0) <= columns - 1) return clean;
  let width = 0;
  let out = "";
  for (const char of chars) {
    width += columnsOf(char);
    if (width > columns - 2) break;
    out += char;
  }
  return `${out}…`;
}

/** Live view for a terminal: redraws the block of step lines every 100 ms. */
export class TtyProgress {
  private readonly lines = new Map<string, Line>();
  private drawn = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `columns`: the terminal's width now (a line longer than it would wrap and break the redraw). */
  constructor(
    private readonly write: Write,
    private readonly columns: () => number | undefined = () => undefined,
  ) {}

  /**
   * Erases the drawn block, for something else about to be written to the same terminal (a log
   * line on stderr): the next tick draws the block again below it instead of over it.
   */
  erase(): void {
    if (this.timer === undefined || this.drawn === 0) return;
    this.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  listener = (e: Heard): void => {
    if (e.event === "run_started") {
      for (const id of e.steps) this.lines.set(id, { status: "waiting", rows: 0, perSecond: 0, ms: 0, note: "" });
      this.write(`run ${e.run_id}: pipeline ${e.pipeline}, ds ${e.ds}\n`);
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    } else if (e.event === "run_finished") this.finish();
    else this.update(e);
  };

  private update(e: Heard): void {
    if (!("step" in e)) return;
    const line = this.lines.get(e.step);
    if (!line) return;
    if (e.event === "step_started") line.status = "running";
    else if (e.event === "step_progress") Object.assign(line, { rows: e.rows, perSecond: e.rows_per_second, ms: e.elapsed_ms });
    else if (e.event === "step_streaming") {
      if (line.status === "waiting") line.status = "streaming";
      if (line.status === "streaming") Object.assign(line, { rows: e.rows, perSecond: e.rows_per_second, ms: e.elapsed_ms });
    } else if (e.event === "step_phase") line.note = e.note;
    else if (e.event === "step_retry") Object.assign(line, { status: "retrying", note: `retry ${e.attempt} in ${formatDuration(e.delay_ms)}` });
    else if (e.event === "step_succeeded") Object.assign(line, { status: "done", rows: e.rows, ms: e.duration_ms, perSecond: e.duration_ms > 0 ? Math.round((e.rows * 1000) / e.duration_ms) : 0, note: "" });
    else if (e.event === "step_failed") Object.assign(line, { status: "failed", ms: e.duration_ms, note: e.error.split("\n")[0] ?? "" });
  }

  private text(id: string, line: Line, width: number): string {
    const spinner = SPINNER[this.tick % SPINNER.length];
    const icon = { waiting: "·", streaming: spinner, running: spinner, retrying: "↻", done: "✓", failed: "✖", skipped: "–" }[line.status];
    const rows = line.status === "waiting" || line.status === "skipped" ? "" : `${formatCount(line.rows)} rows`;
    const speed = line.perSecond > 0 ? `${formatCount(line.perSecond)} rows/s` : "";
    return `${icon} ${id.padEnd(width)}  ${line.status.padEnd(9)} ${rows.padStart(14)} ${speed.padStart(16)} ${line.note}`.trimEnd();
  }

  draw(): void {
    this.tick++;
    const width = Math.max(...[...this.lines.keys()].map((id) => id.length), 4);
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
    const columns = this.columns();
    const body = [...this.lines].map(([id, line]) => `\x1b[2K${fit(this.text(id, line, width), columns)}`).join("\n");
    this.write(`${up}\r${body}\n`);
    this.drawn = this.lines.size;
  }

  /**
   * The run is over: the live block goes, and the summary table printed next takes its place (it
   * says the same and more; the block left above it would be the same list twice).
   */
  private finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn > 0) this.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }
}

/** The table printed at the end of every run. */
export function summaryTable(report: RunReport): string {
  const rows = report.steps.map((s) => [s.id, s.state.status, formatCount(s.state.rows ?? 0), s.state.duration_ms !== undefined ? formatDuration(s.state.duration_ms) : "", s.state.duration_ms ? rate(s.state.rows ?? 0, s.state.duration_ms) : "", String(s.state.attempts ?? "")]);
  const header = ["step", "status", "rows", "time", "speed", "attempts"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 2 || i === 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  const skipped = report.checksSkipped.length > 0 ? [`⚠ --skip-checks: the checks of ${report.checksSkipped.join(", ")} were not run; this data was not checked`] : [];
  const warned = report.checkWarnings.map((m) => `⚠ warn check failed: ${printable(m)}`);
  const changed = report.schemaChanges.map((m) => `⚠ schema: ${printable(m)}`);
  const rejected = report.rejected.map((m) => `⚠ quarantine: ${printable(m)}`);
  const notes = [...skipped, ...warned, ...changed, ...rejected];
  return [fmt(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(fmt), ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
}
