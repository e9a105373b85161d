/**
 * Anomaly detection: a step's rows and duration against its last successful runs, robustly (median
 * and MAD, so one odd run in the history does not move the baseline). A value is flagged only when
 * it is both far from usual in robust standard deviations (`sensitivity`) and a large change in
 * itself (90% fewer rows, 5× the duration and at least a second longer): a steady history makes
 * the MAD tiny, and the second condition keeps small wobbles there from being flagged.
 */
import { formatCount, formatDuration } from "../../format/numbers";
import type { Pipeline, Step } from "../../pipeline/model";
import { DEFAULT_SENSITIVITY, type AnomalySettings } from "../../pipeline/observe";
import type { Anomaly, RunRecord } from "./recordSchema";

/** Fewer successful runs than this: no baseline, nothing flagged. */
export const MIN_HISTORY = 5;
/** The baseline is the last this many successful runs. */
export const BASELINE_RUNS = 30;
/** At most this share of the usual rows: a 90% drop. */
const ROWS_LEFT = 0.1;
const DURATION_FACTOR = 5;
const DURATION_FLOOR_MS = 1_000;
/** MAD × this estimates the standard deviation of normal data. */
const MAD_SCALE = 1.4826;

export interface AnomalyPolicy {
  mode: "warn" | "fail" | "off";
  sensitivity: number;
}

/** The step's setting, else the pipeline's, else `warn` with the default sensitivity. */
export function policyOf(pipeline: Pipeline, step: Step): AnomalyPolicy {
  const own = normalize(step.anomaly);
  const top = normalize(pipeline.anomaly);
  return { mode: own?.mode ?? top?.mode ?? "warn", sensitivity: own?.sensitivity ?? top?.sensitivity ?? DEFAULT_SENSITIVITY };
}

function normalize(setting: AnomalySettings | undefined): Partial<AnomalyPolicy> | undefined {
  if (setting === undefined) return undefined;
  if (typeof setting === "string") return { mode: setting };
  return { ...(setting.mode ? { mode: setting.mode } : {}), ...(setting.sensitivity !== undefined ? { sensitivity: setting.sensitivity } : {}) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A step's past values: rows and durations of its successful runs, newest first, at most BASELINE_RUNS. */
export interface Baseline {
  rows: number[];
  durations: number[];
}

export function baselineOf(history: readonly RunRecord[], stepId: string): Baseline {
  const rows: number[] = [];
  const durations: number[] = [];
  for (const run of history) {
    const s = run.steps.find((x) => x.id === stepId);
    if (s?.status !== "succeeded" || s.anomalies.length > 0) continue;
    if (s.rows_out !== null) rows.push(s.rows_out);
    if (s.duration_ms !== null) durations.push(s.duration_ms);
    if (rows.length >= BASELINE_RUNS && durations.length >= BASELINE_RUNS) break;
  }
  return { rows: rows.slice(0, BASELINE_RUNS), durations: durations.slice(0, BASELINE_RUNS) };
}

interface Stats {
  median: number;
  mad: number;
  score: number;
}

/** Robust z-score of `value`; the MAD is floored at 1% of the median (and `floor`) so a flat history still gives a finite score. */
function stats(value: number, past: readonly number[], floor: number): Stats {
  const m = median(past);
  const mad = median(past.map((x) => Math.abs(x - m)));
  const spread = MAD_SCALE * Math.max(mad, Math.abs(m) * 0.01, floor);
  return { median: m, mad, score: Math.round(((value - m) / spread) * 100) / 100 };
}

/** The anomalies of one step's successful attempt against its baseline (empty when too little history). */
export function detectAnomalies(step: string, value: { rows: number | undefined; durationMs: number | undefined }, baseline: Baseline, sensitivity: number): Anomaly[] {
  const found: Anomaly[] = [];
  if (value.rows !== undefined && baseline.rows.length >= MIN_HISTORY) {
    const s = stats(value.rows, baseline.rows, 1);
    if (s.median > 0 && value.rows <= s.median * ROWS_LEFT && -s.score >= sensitivity) {
      const drop = Math.round((1 - value.rows / s.median) * 100);
      found.push({ step, metric: "rows", value: value.rows, ...s, message: `${step}: ${formatCount(value.rows)} rows, ${drop}% fewer than usual (median ${formatCount(s.median)} over the last ${baseline.rows.length} successful runs)` });
    }
  }
  if (value.durationMs !== undefined && baseline.durations.length >= MIN_HISTORY) {
    const s = stats(value.durationMs, baseline.durations, 1);
    if (value.durationMs >= s.median * DURATION_FACTOR && value.durationMs - s.median >= DURATION_FLOOR_MS && s.score >= sensitivity) {
      const times = Math.round((value.durationMs / Math.max(s.median, 1)) * 10) / 10;
      found.push({ step, metric: "duration", value: value.durationMs, ...s, message: `${step}: took ${formatDuration(value.durationMs)}, ${times}× its usual ${formatDuration(s.median)} (median over the last ${baseline.durations.length} successful runs)` });
    }
  }
  return found;
}
