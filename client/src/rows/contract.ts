/**
 * What `agent-etl preview FILE --step ID --format json` prints (PREVIEW_CONTRACT.md), read
 * defensively: the CLI may be older or newer than the extension (`agentEtl.cliPath`), so anything
 * that does not fit becomes an error that says what was printed instead, never a blank panel.
 */

export interface PreviewColumn {
  name: string;
  /** A column type of the pipeline model, or null when unknown. */
  type: string | null;
}

export interface PreviewResult {
  pipeline: string;
  step: string;
  limit: number;
  columns: PreviewColumn[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  notes: string[];
  durationMs: number;
}

export interface PreviewError {
  code: string;
  message: string;
  fix: string | null;
  step: string | null;
}

export type PreviewOutcome = { ok: true; result: PreviewResult } | { ok: false; error: PreviewError };

/** The arguments of the CLI call: the editor asks for 50 rows, the CLI's own default. */
export function previewArgs(file: string, stepId: string, limit = 50): string[] {
  return ["preview", file, "--step", stepId, "--limit", String(limit), "--format", "json"];
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function parseError(e: Record<string, unknown>): PreviewError {
  return {
    code: str(e.code) ?? "unknown",
    message: str(e.message) ?? "the preview failed without a message",
    fix: str(e.fix),
    step: str(e.step),
  };
}

function parseColumns(v: unknown): PreviewColumn[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const columns: PreviewColumn[] = [];
  for (const c of v) {
    if (!isObject(c) || typeof c.name !== "string") return undefined;
    columns.push({ name: c.name, type: str(c.type) });
  }
  return columns;
}

/** Columns first seen in rows but not listed (an older CLI): appended, with an unknown type. */
function withRowKeys(columns: PreviewColumn[], rows: Record<string, unknown>[]): PreviewColumn[] {
  const known = new Set(columns.map((c) => c.name));
  const extra: PreviewColumn[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!known.has(k)) {
    known.add(k);
    extra.push({ name: k, type: null });
  }
  return extra.length > 0 ? [...columns, ...extra] : columns;
}

function contractError(message: string, exitCode: number, stderr: string): PreviewOutcome {
  const detail = stderr.trim().split("\n").filter(Boolean).at(-1);
  return {
    ok: false,
    error: {
      code: "preview-output",
      message: `${message} (exit code ${exitCode})${detail ? `: ${detail.slice(0, 500)}` : ""}`,
      fix: "Check that agentEtl.cliPath (if set) names an agent-etl CLI that has the `preview` command, then Refresh; Agent ETL: Show Logs has the full output.",
      step: null,
    },
  };
}

/** The CLI's stdout (one JSON object) and exit code, as a result or an error to show. */
export function parsePreviewOutput(stdout: string, exitCode: number, stderr = ""): PreviewOutcome {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return contractError(stdout.trim() === "" ? "agent-etl preview printed nothing" : `agent-etl preview printed no JSON: ${stdout.trim().slice(0, 200)}`, exitCode, stderr);
  }
  if (!isObject(value)) return contractError("agent-etl preview printed JSON that is not an object", exitCode, stderr);
  if (isObject(value.error)) return { ok: false, error: parseError(value.error) };
  const columns = parseColumns(value.columns);
  const rows = Array.isArray(value.rows) && value.rows.every(isObject) ? value.rows : undefined;
  if (!columns || !rows) return contractError("agent-etl preview printed JSON without `columns` and `rows`", exitCode, stderr);
  return {
    ok: true,
    result: {
      pipeline: str(value.pipeline) ?? "",
      step: str(value.step) ?? "",
      limit: typeof value.limit === "number" ? value.limit : rows.length,
      columns: withRowKeys(columns, rows),
      rows,
      truncated: value.truncated === true,
      notes: Array.isArray(value.notes) ? value.notes.filter((n): n is string => typeof n === "string") : [],
      durationMs: typeof value.durationMs === "number" ? value.durationMs : 0,
    },
  };
}
