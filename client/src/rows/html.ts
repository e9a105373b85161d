/**
 * The "Preview rows" panel's document, built on the extension's side from the CLI's JSON (pure: no
 * `vscode`, so unit tests feed it hostile contract objects). Every name and value from the pipeline
 * or its data is escaped; the only script is ours, under a CSP nonce, and it only posts
 * `refresh`/`showLogs` back.
 */
import { escapeXml } from "../preview/escape";
import type { PreviewError, PreviewResult } from "./contract";

/** A long text cut to `max` characters with an ellipsis (the full value goes in a tooltip). */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
import { ROWS_CSS } from "./styles";

/** What the panel shows: the table, an error with its fix, or that the preview is running. */
export type RowsView =
  | { kind: "loading"; file: string; stepId: string }
  | { kind: "result"; file: string; stepId: string; result: PreviewResult }
  | { kind: "error"; file: string; stepId: string; error: PreviewError };

/** Messages the panel's script posts to the extension. */
export type FromRowsWebview = { type: "refresh" } | { type: "showLogs" } | { type: "ready" };

/** Longer cell text is cut (the whole value stays in the cell's tooltip). */
export const MAX_CELL_CHARS = 80;

/**
 * Control characters (and the bidirectional overrides of "Trojan Source") would reflow or disguise
 * a cell: show each as a visible escape instead.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const HAS_INVISIBLE = new RegExp(INVISIBLE.source);
/** Column types whose values line up on the right (exact values arrive as strings). */
const NUMERIC_TYPES = new Set(["integer", "number", "decimal"]);

function visible(text: string): string {
  return escapeXml(text).replace(INVISIBLE, (c) => {
    const shown = c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\r" ? "\\r" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    return `<span class="ctl">${shown}</span>`;
  });
}

/** A cell's text as a user reads it: strings as they are, numbers and booleans plainly, objects as JSON. */
function cellText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** One `<td>`; `type` is the column's (a number held as a string for exactness still aligns right). */
function cell(value: unknown, type: string | null = null): string {
  if (value === null || value === undefined) return `<td class="null" title="${value === null ? "NULL" : "no value in this row"}">NULL</td>`;
  const text = cellText(value);
  const cls = typeof value === "number" || typeof value === "bigint" || (type !== null && NUMERIC_TYPES.has(type)) ? ' class="num"' : "";
  const shown = truncate(text, MAX_CELL_CHARS);
  const title = shown === text && !HAS_INVISIBLE.test(text) ? "" : ` title="${escapeXml(text)}"`;
  return `<td${cls}${title}>${visible(shown)}</td>`;
}

function header(result: PreviewResult): string {
  const ths = result.columns.map((c) => {
    const type = c.type === null ? '<span class="type unknown">unknown</span>' : `<span class="type">${visible(c.type)}</span>`;
    return `<th scope="col" title="${escapeXml(`${c.name}: ${c.type ?? "type unknown"}`)}"><span class="name">${visible(c.name)}</span>${type}</th>`;
  });
  return `<thead><tr><th scope="col" class="rownum">#</th>${ths.join("")}</tr></thead>`;
}

function table(result: PreviewResult): string {
  if (result.rows.length === 0) return `<p class="empty muted">Step <code>${visible(result.step)}</code> produced no rows.</p>`;
  const body = result.rows.map((row, i) => `<tr><td class="rownum">${i + 1}</td>${result.columns.map((c) => cell(Object.hasOwn(row, c.name) ? row[c.name] : undefined, c.type)).join("")}</tr>`);
  return `<div class="table-wrap"><table>${header(result)}<tbody>${body.join("\n")}</tbody></table></div>`;
}

function banners(result: PreviewResult): string {
  const out: string[] = [];
  if (result.truncated) out.push(`<div class="banner truncated" role="note">Showing the first ${result.rows.length} rows: the step has more (or may have).</div>`);
  if (result.notes.length > 0) out.push(`<div class="banner notes" role="note"><ul>${result.notes.map((n) => `<li>${visible(n)}</li>`).join("")}</ul></div>`);
  return out.join("\n");
}

function errorBlock(error: PreviewError): string {
  const fix = error.fix ? `<div class="fix"><strong>Fix:</strong> ${visible(error.fix)}</div>` : "";
  const step = error.step ? ` in step <code>${visible(error.step)}</code>` : "";
  return `<div class="error" role="alert"><div><strong>The preview failed</strong>${step} <span class="code">[${visible(error.code)}]</span></div>
<pre class="message">${visible(error.message)}</pre>${fix}
<div class="fix"><button id="showLogs" type="button" class="secondary">Show Logs</button></div></div>`;
}

function body(view: RowsView): { meta: string; content: string } {
  switch (view.kind) {
    case "loading":
      return { meta: "", content: '<p class="empty muted" role="status">Running the pipeline up to this step…</p>' };
    case "error":
      return { meta: "", content: errorBlock(view.error) };
    case "result": {
      const r = view.result;
      const count = `${r.rows.length} row${r.rows.length === 1 ? "" : "s"} · ${r.columns.length} column${r.columns.length === 1 ? "" : "s"} · ${Math.round(r.durationMs)} ms`;
      return { meta: count, content: `${banners(r)}\n${table(r)}` };
    }
  }
}

const SCRIPT = `(function () {
  const vscode = acquireVsCodeApi();
  const refresh = document.getElementById("refresh");
  const status = document.getElementById("status");
  refresh.addEventListener("click", () => vscode.postMessage({ type: "refresh" }));
  const logs = document.getElementById("showLogs");
  if (logs) logs.addEventListener("click", () => vscode.postMessage({ type: "showLogs" }));
  window.addEventListener("message", (e) => {
    if (e.data && e.data.type === "busy") { refresh.disabled = true; status.textContent = "Refreshing…"; }
  });
  vscode.postMessage({ type: "ready" });
})();`;

/** The whole document. `nonce`: fresh random base64 per document (the CSP allows only our style and script). */
export function rowsHtml(view: RowsView, nonce: string): string {
  const { meta, content } = body(view);
  const n = escapeXml(nonce);
  const csp = `default-src 'none'; style-src 'nonce-${n}'; script-src 'nonce-${n}';`;
  const name = view.file.replace(/^.*[\\/]/, "");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Rows of ${escapeXml(view.stepId)}</title>
<style nonce="${n}">${ROWS_CSS}</style>
</head>
<body data-state="${view.kind}">
<div class="toolbar" role="toolbar" aria-label="Preview rows">
  <span class="title" title="${escapeXml(`${view.file} › ${view.stepId}`)}">${visible(truncate(name, 80))} › ${visible(view.stepId)}</span>
  <span class="meta" id="status" role="status" aria-live="polite">${meta}</span>
  <button id="refresh" type="button" title="Run the preview again (saves the file first)"${view.kind === "loading" ? " disabled" : ""}>Refresh</button>
</div>
${content}
<script nonce="${n}">${SCRIPT}</script>
</body>
</html>`;
}
