/** Decisions made before any step starts: the run id, the steps to run, template values. */
import { randomBytes } from "node:crypto";
import { EtlError, UsageError } from "../errors";
import type { Pipeline, Step } from "../pipeline/model";
import { closest } from "../pipeline/suggest";
import { airflowTs, logicalTemplates, midnightTs, TemplateError, templateNames, templateValue, type TemplateValues } from "../pipeline/templates";
import type { StagingStore } from "../sources/staging";
import { latestRunId, loadState, runsOf, type RunState } from "./state";

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,199}$/;

export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId) || runId.includes("..")) throw new UsageError(`run id ${JSON.stringify(runId)} is not allowed; use letters, digits and _ . : + - (it names a folder)`);
  return runId;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `manual_${stamp}_${randomBytes(3).toString("hex")}`;
}

export function todayDs(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export interface RunChoice {
  runId: string;
  /** The state of the earlier run this one continues (resume, or `--step` in an existing run). */
  previous?: RunState;
}

/** `--run-id`, else for `--resume`/`--step` the latest run of this pipeline, else a new id. */
export async function chooseRun(store: StagingStore, pipeline: string, opts: { runId?: string; resume: boolean; steps: readonly string[] }): Promise<RunChoice> {
  const explicit = opts.runId !== undefined ? checkRunId(opts.runId) : undefined;
  const continuing = opts.resume || opts.steps.length > 0;
  const runId = explicit ?? (continuing ? await latestRunId(store, pipeline) : undefined);
  if (opts.resume && runId === undefined) throw new EtlError("no-run", `nothing to resume: no earlier run of pipeline \`${pipeline}\` in ${store.describe()}; run it without --resume`);
  if (runId === undefined) return { runId: newRunId() };
  // A fresh run under an explicit id reads the state only to refuse another pipeline's run.
  const stored = continuing ? await loadState(store, runId) : await loadState(store, runId).catch(() => undefined);
  if (stored && stored.pipeline !== pipeline) throw otherPipelineRun(runId, stored, pipeline, opts.resume);
  const previous = continuing ? stored : undefined;
  if (opts.resume && !previous) throw await unknownRun(store, pipeline, runId);
  return { runId, ...(previous ? { previous } : {}) };
}

/** `--resume --run-id X` where X is no run: a usage error naming the runs that can be resumed. */
async function unknownRun(store: StagingStore, pipeline: string, runId: string): Promise<UsageError> {
  const runs = await runsOf(store, pipeline);
  const open = runs.filter((r) => r.status !== "succeeded");
  const head = `--run-id ${runId}: pipeline \`${pipeline}\` has no run with that id in ${store.describe()}`;
  if (open.length === 0) {
    const done = runs.length === 0 ? "it has not run yet" : `its ${runs.length} run${runs.length === 1 ? "" : "s"} all succeeded`;
    return new UsageError(`${head}; nothing to resume: ${done}, so start a fresh run without --resume`);
  }
  const shown = open.slice(0, 5).map((r) => `${r.run_id} (${r.status}, started ${r.started_at})`);
  const more = open.length > 5 ? ` and ${open.length - 5} older` : "";
  const latest = runs[0] === open[0] ? "; or leave out --run-id to resume the latest one" : "";
  return new UsageError(`${head}; runs that can be resumed, latest first: ${shown.join(", ")}${more}${latest}`);
}

/**
 * Pipelines in one folder share its staging store, so a run id can name another pipeline's run:
 * continuing it would load that run's staged data into this pipeline's steps and relabel its state.
 */
function otherPipelineRun(runId: string, stored: RunState, pipeline: string, resume: boolean): UsageError {
  const instead = resume ? `, or leave out --run-id to resume the latest run of \`${pipeline}\`` : "";
  return new UsageError(`--run-id ${runId}: that run belongs to pipeline \`${stored.pipeline}\` (${stored.file}), not to this pipeline \`${pipeline}\`; give a run id of \`${pipeline}\`${instead}`);
}

/** The steps this run executes, in the pipeline's order. */
export function selectSteps(pipeline: Pipeline, opts: { steps: readonly string[]; resume: boolean }, previous?: RunState): string[] {
  const all = pipeline.steps.map((s) => s.id);
  if (opts.steps.length > 0) {
    const unknown = opts.steps.filter((id) => !all.includes(id));
    if (unknown.length > 0) throw new UsageError(`--step ${unknown.join(", ")}: no such step; steps: ${all.join(", ")}`);
    return all.filter((id) => opts.steps.includes(id));
  }
  if (opts.resume && previous) return all.filter((id) => previous.steps[id]?.status !== "succeeded");
  return all;
}

/** `--param K=V` values: numbers and booleans stay strings (templates render text anyway). */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param ${JSON.stringify(pair)}: write it as NAME=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Names of `{{ params.NAME }}` the pipeline's steps use. */
function templateParams(pipeline: Pipeline): string[] {
  const names = pipeline.steps.flatMap((step) => strings([step.extract, step.load, step.sql], []).flatMap(templateNames));
  return [...new Set(names.filter((n) => n.startsWith("params.")).map((n) => n.slice("params.".length)))];
}

/**
 * `--param` names must be ones the pipeline can read: declared in `params`, or used by a template
 * (a template may use a param only the command line gives). Anything else is a typo that would
 * otherwise be ignored while the run used the default.
 */
export function checkParams(pipeline: Pipeline, cli: Record<string, string>): void {
  const declared = Object.keys(pipeline.params ?? {});
  const used = templateParams(pipeline).filter((n) => !declared.includes(n));
  const known = [...declared, ...used];
  const unknown = Object.keys(cli).filter((n) => !known.includes(n));
  if (unknown.length === 0) return;
  const declares = declared.length > 0 ? `the pipeline declares: ${declared.join(", ")}` : "the pipeline declares no params";
  const uses = used.length > 0 ? `; its templates ${declared.length > 0 ? "also " : ""}use: ${used.join(", ")}` : declared.length > 0 ? "" : " and its templates use none, so --param has nothing to set";
  const guesses = unknown.map((n) => [n, closest(n, known)] as const).filter(([, g]) => g !== undefined);
  const guess = guesses.length === 0 ? "" : unknown.length === 1 ? ` (did you mean ${guesses[0]?.[1]}?)` : ` (did you mean ${guesses.map(([n, g]) => `${g} for ${n}`).join(", ")}?)`;
  throw new UsageError(`unknown param${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}; ${declares}${uses}${guess}`);
}

/** A run's logical date (`{{ ds }}`) and logical date and time (`{{ ts }}`). */
export interface LogicalInstant {
  ds: string;
  ts: string;
}

/**
 * `--ts` (with its UTC date as ds unless `--ds` is given too), else `--ds` at midnight, else the
 * continued run's (a run from before `ts` existed: its ds at midnight), else now: like Airflow,
 * whose manual runs are logical at the moment they are triggered.
 */
export function logicalInstant(given: { ds?: string; ts?: string }, previous?: RunState, now = new Date()): LogicalInstant {
  if (given.ts !== undefined) return { ds: given.ds ?? new Date(given.ts).toISOString().slice(0, 10), ts: given.ts };
  if (given.ds !== undefined) return { ds: given.ds, ts: midnightTs(given.ds) };
  if (previous) return { ds: previous.ds, ts: previous.ts ?? midnightTs(previous.ds) };
  return { ds: todayDs(now), ts: airflowTs(now) };
}

export function templateValues(pipeline: Pipeline, runId: string, at: LogicalInstant, cli: Record<string, string>, previous?: RunState): TemplateValues {
  return { ...logicalTemplates(at.ts, at.ds), run_id: runId, params: { ...(pipeline.params ?? {}), ...(previous?.params ?? {}), ...cli } };
}

function strings(value: unknown, out: string[]): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** Fails before any step starts when a selected step uses an unknown template variable. */
export function checkTemplates(steps: readonly Step[], values: TemplateValues): void {
  const problems: string[] = [];
  for (const step of steps) {
    for (const text of strings([step.extract, step.load, step.sql], [])) {
      for (const name of templateNames(text)) {
        try {
          templateValue(name, values);
        } catch (err: unknown) {
          if (err instanceof TemplateError) problems.push(`step ${step.id}: ${err.message}${name.startsWith("params.") ? ` (or pass --param ${name.slice(7)}=VALUE)` : ""}`);
        }
      }
    }
  }
  if (problems.length > 0) throw new EtlError("template", `cannot render templates; no step was started:\n  ${problems.join("\n  ")}`);
}
