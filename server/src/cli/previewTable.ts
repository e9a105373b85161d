/** A preview's rows as an aligned text table for a terminal: a header `name (type)`, one line per row. */
import { escapeControls } from "../controlChars";
import { stringifyJson } from "../sources/formats/exactJson";
import type { PreviewResult } from "../runner/preview";

/** Wider cells are cut, so one long value does not push every other column off the screen. */
const MAX_CELL = 40;

function cell(value: unknown): string {
  const text = value === undefined ? "" : value === null ? "null" : typeof value === "string" ? value : stringifyJson(value);
  // Line breaks and tabs would break the table's lines: shown as escapes, like other controls.
  const flat = escapeControls(text).replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

function rowsLine(result: PreviewResult): string {
  const n = result.rows.length;
  const shown = `${n} row${n === 1 ? "" : "s"}`;
  if (!result.truncated) return `${shown} of step ${result.step} (all of them), ${result.durationMs} ms`;
  return `first ${shown} of step ${result.step} (more may exist; --limit up to 1000), ${result.durationMs} ms`;
}

export function previewTable(result: PreviewResult): string {
  const header = result.columns.map((c) => cell(`${c.name} (${c.type ?? "?"})`));
  const body = result.rows.map((r) => result.columns.map((c) => cell(Object.hasOwn(r, c.name) ? r[c.name] : undefined)));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => (line[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  const lines = result.columns.length > 0 ? [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)] : ["(no columns)"];
  lines.push("", rowsLine(result));
  for (const note of result.notes) lines.push(`note: ${escapeControls(note)}`);
  return lines.join("\n");
}
