/** What every step of a run shares. */
import type { Logger } from "pino";
import type { Connection, Pipeline, Step } from "../pipeline/model";
import type { TemplateValues } from "../pipeline/templates";
import type { StagingStore } from "../sources/staging";

export interface RunContext {
  pipeline: Pipeline;
  /** The pipeline file as given, and its folder (relative paths resolve against it). */
  file: string;
  baseDir: string;
  runId: string;
  templates: TemplateValues;
  /** Connections with secrets resolved. */
  connections: Record<string, Connection>;
  secrets: readonly string[];
  store: StagingStore;
  logger: Logger;
  steps: ReadonlyMap<string, Step>;
  /** `--skip-checks`: steps' `checks:` are not run (the summary says so). */
  skipChecks?: boolean;
}

/** The upstream step whose records a transform or load reads: `input`, else the first of `depends_on`. */
export function inputOf(step: Step): string | undefined {
  return step.input ?? step.depends_on?.[0];
}

/** The connection a step names, if any. */
export function connectionOf(step: Step): string | undefined {
  return step.extract?.connection ?? step.load?.connection ?? step.sql?.connection;
}
