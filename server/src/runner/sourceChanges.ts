/**
 * `--resume` re-runs the steps that did not succeed, reading what the others staged. After a data
 * error the user fixes the source (a bad value in a CSV) and resumes: reading the stale staged copy
 * would fail again. So each extract records what identified its source when it was staged (files'
 * size and modification time, objects' ETags: `Connector.sourceVersion`), and on `--resume` an
 * extract whose source changed since is extracted again, with the steps after it. A source that
 * cannot tell (a database, an API) is reused, and the log says how to read it afresh.
 */
import type { Logger } from "pino";
import { downstreamClosure, type Dag } from "../dag/graph";
import type { ExtractStep, Pipeline } from "../pipeline/model";
import type { TemplateValues } from "../pipeline/templates";
import { closeConnectors, connectorFor } from "../sources";
import { descriptorOf } from "../sources/registry";
import type { SourceVersion } from "../sources/types";
import { describeFailure } from "./failure";
import { scrubbingLogger } from "./safeLogger";
import { resolveConnections } from "../env/resolve";
import type { RunState } from "./state";

export interface ResumeSources {
  pipeline: Pipeline;
  dag: Dag;
  file: string;
  runId: string;
  previous: RunState;
  /** The steps `--resume` would run (those that did not succeed), in pipeline order. */
  selected: readonly string[];
  env: ReadonlyMap<string, string>;
  baseDir: string;
  templates: TemplateValues;
  logger: Logger;
  signal?: AbortSignal;
}

const SHOWN = 3;

/** How the source's files or objects differ from when they were staged; undefined when they do not. */
export function describeChange(before: SourceVersion, now: SourceVersion): string | undefined {
  const then = new Map(before.items.map((i) => [i.name, i]));
  const changes: string[] = [];
  for (const item of now.items) {
    const old = then.get(item.name);
    then.delete(item.name);
    if (!old) changes.push(`${item.name} is new`);
    else if (old.size !== item.size) changes.push(`${item.name}: size ${old.size.toLocaleString("en-US")} → ${item.size.toLocaleString("en-US")} bytes`);
    else if (old.version !== item.version) changes.push(`${item.name}: ${item.version.startsWith("etag") ? "ETag" : "modification time"} changed`);
  }
  for (const name of then.keys()) changes.push(`${name} is gone`);
  if (changes.length === 0) return undefined;
  return changes.length <= SHOWN ? changes.join("; ") : `${changes.slice(0, SHOWN).join("; ")}; … ${changes.length} changes in all`;
}

/** Succeeded extracts whose staged output a step to re-run reads (directly or through other steps). */
function stagedReads(input: ResumeSources): ExtractStep[] {
  const rerun = new Set(input.selected);
  return input.pipeline.steps.filter((s): s is ExtractStep => s.extract !== undefined && input.previous.steps[s.id]?.status === "succeeded" && [...downstreamClosure(input.dag, s.id)].some((d) => rerun.has(d)));
}

type Verdict = { id: string; changed: string } | { id: string; unknown: string };

/** Compares one extract's source now with what it recorded when staged. */
async function check(input: ResumeSources, step: ExtractStep): Promise<Verdict | undefined> {
  const extract = step.extract;
  const declared = input.pipeline.connections?.[extract.connection];
  if (!declared) return undefined;
  const recorded = input.previous.steps[step.id]?.source;
  const connector = await connectorFor(declared.type);
  if (!connector.sourceVersion) return { id: step.id, unknown: `${descriptorOf(declared).noun} cannot tell whether its data changed` };
  if (!recorded) return { id: step.id, unknown: "the run recorded no version of its source (staged by an earlier agent-etl)" };
  try {
    const resolved = resolveConnections(input.pipeline.connections, input.env, input.baseDir, [extract.connection]);
    const connection = resolved.connections[extract.connection] as NonNullable<(typeof resolved.connections)[string]>;
    const logger = scrubbingLogger(input.logger, resolved.secrets);
    const signal = input.signal ?? new AbortController().signal;
    const now = await connector.sourceVersion({ connection, connectionName: extract.connection, baseDir: input.baseDir, templates: input.templates, signal, logger, secrets: resolved.secrets, extract });
    const changed = describeChange(recorded, now);
    return changed !== undefined ? { id: step.id, changed } : undefined;
  } catch (err: unknown) {
    return { id: step.id, unknown: `checking it failed (${describeFailure(err, []).message})` };
  }
}

function rerunFrom(input: ResumeSources, ids: readonly string[]): string {
  const from = new Set(ids.flatMap((id) => [...downstreamClosure(input.dag, id)]));
  return input.pipeline.steps.filter((s) => from.has(s.id)).map((s) => `--step ${s.id}`).join(" ");
}

/**
 * The steps `--resume` runs: those that did not succeed, plus every extract whose source changed
 * since it was staged and the steps after it. Logs what it found for each extract it checked.
 */
export async function resumeSelection(input: ResumeSources): Promise<string[]> {
  const readers = stagedReads(input);
  if (readers.length === 0) return [...input.selected];
  const verdicts = (await Promise.all(readers.map((s) => check(input, s)))).filter((v): v is Verdict => v !== undefined);
  await closeConnectors();
  const run = new Set(input.selected);
  for (const v of verdicts) {
    if ("changed" in v) {
      const after = [...downstreamClosure(input.dag, v.id)].filter((id) => id !== v.id && !run.has(id));
      for (const id of downstreamClosure(input.dag, v.id)) run.add(id);
      input.logger.info({ stepId: v.id }, `source of \`${v.id}\` changed since it was staged (${v.changed}); extracting it again${after.length > 0 ? `, and re-running ${after.join(", ")} after it` : ""}`);
    } else {
      const staged = input.previous.steps[v.id]?.finished_at;
      input.logger.info(
        { stepId: v.id },
        `\`${v.id}\`: ${v.unknown}, so --resume reuses what it staged${staged ? ` at ${staged}` : ""}; to read the source again, start a fresh run (agent-etl run ${input.file}) or re-run from it: agent-etl run ${input.file} --run-id ${input.runId} ${rerunFrom(input, [v.id])}`,
      );
    }
  }
  return input.pipeline.steps.map((s) => s.id).filter((id) => run.has(id));
}
