/**
 * A step's last runs for its hover, from the local run history (`.etl/history/` beside the file;
 * retention keeps it small, so reading it is cheap). A shared PostgreSQL history is not queried
 * from the editor: a hover must not wait for a server.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatCount, formatDuration } from "../format/numbers";
import { HISTORY_DIR, LocalHistory } from "../runner/history/localHistory";
import type { RunRecord } from "../runner/history/recordSchema";

const SHOWN = 3;
const ICONS: Record<string, string> = { succeeded: "✓", failed: "✖", skipped: "–", running: "…", pending: "·" };

/** `✓ 1,000 rows in 1.2 s (2026-01-07 06:00)` for each of the step's last runs, newest first. */
export function lastRunLines(runs: readonly RunRecord[], stepId: string): string[] {
  return runs.flatMap((run) => {
    const s = run.steps.find((x) => x.id === stepId);
    if (!s) return [];
    const rows = s.rows_out === null ? "" : ` ${formatCount(s.rows_out)} rows`;
    const time = s.duration_ms === null ? "" : ` in ${formatDuration(s.duration_ms)}`;
    const flag = s.anomalies.length > 0 ? " ⚠ anomaly" : "";
    return [`${ICONS[s.status] ?? ""} ${s.status}${rows}${time}${flag} (${run.started_at.slice(0, 16).replace("T", " ")})`];
  }).slice(0, SHOWN);
}

/** The step's last runs recorded beside the document's file; none for unsaved or non-file documents. */
export async function stepRuns(uri: string, pipeline: string | undefined, stepId: string): Promise<string[]> {
  if (!uri.startsWith("file:") || pipeline === undefined) return [];
  const dir = join(dirname(fileURLToPath(uri)), HISTORY_DIR, pipeline);
  const runs = await new LocalHistory(dir, dir).list({ limit: SHOWN * 3 }).catch(() => [] as RunRecord[]);
  return lastRunLines(runs, stepId);
}
