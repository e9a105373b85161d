/**
 * `agent-etl generate`: a working pipeline from a source's metadata. Reads the source (catalog,
 * listing, one sample response), plans steps, renders commented YAML and validates it: a file
 * with errors is a generator bug and is never handed out.
 */
import type { Logger } from "pino";
import { EtlError, UsageError } from "../errors";
import type { Problem } from "../pipeline/problem";
import { validatePipeline } from "../pipeline/validate";
import type { PostgresCatalog } from "../sources/analysis/types";
import type { DatasetColumns, Endpoint, EnvVar, Location } from "../sources/generation";
import { catalogItems, catalogSteps, selectTables, SOURCE } from "./catalogPlan";
import { datasetItems, datasetSteps, selectDatasets } from "./datasetPlan";
import { analyzeEndpoint, endpointItems, endpointSteps, type EndpointAnalysis } from "./endpointPlan";
import { defaultTarget, parseLocation } from "./location";
import { toIdentifier } from "./names";
import type { PipelinePlan, PlanStep, SourceItem } from "./plan";
import { renderPlan } from "./yamlDocument";
import { checkTarget, TARGET, targetComment } from "./target";

/** What a source offers, ready to plan: its shape (not its connection type) says how. */
export type SourceAnalysis =
  | { kind: "catalog"; source: Location; catalog: PostgresCatalog }
  | { kind: "datasets"; source: Location; datasets: DatasetColumns[]; truncated: boolean }
  | { kind: "endpoint"; source: Location & { endpoint: Endpoint }; analysis: EndpointAnalysis };

/** A generated file that does not validate: a bug of the generator, reported with its problems. */
export class GeneratedInvalidError extends EtlError {
  constructor(
    readonly problems: readonly Problem[],
    readonly text: string,
  ) {
    super("generate-invalid", `the generated pipeline has ${problems.length} error${problems.length === 1 ? "" : "s"} (a bug in agent-etl generate; please report it)`);
  }
}

/** Reads what the source offers. */
export async function analyzeSourceForGenerate(source: Location, logger: Logger): Promise<SourceAnalysis> {
  const found = await source.discover(logger);
  switch (found.shape) {
    case "catalog":
      return { kind: "catalog", source, catalog: found.catalog };
    case "datasets":
      return { kind: "datasets", source, datasets: found.datasets, truncated: found.truncated };
    case "endpoint": {
      const { endpoint } = source;
      if (!endpoint) throw new Error(`${source.what} answered as an endpoint but its location has no endpoint`);
      const at = { ...source, endpoint };
      return { kind: "endpoint", source: at, analysis: analyzeEndpoint(at, found.sample) };
    }
  }
}

export function sourceItems(analysis: SourceAnalysis): SourceItem[] {
  if (analysis.kind === "catalog") return catalogItems(analysis.catalog);
  if (analysis.kind === "datasets") return datasetItems(analysis.datasets);
  return endpointItems(analysis.analysis);
}

function checkInclude(analysis: SourceAnalysis, include: readonly string[] | undefined): void {
  if (!include) return;
  const items = sourceItems(analysis);
  const known = new Set(items.flatMap((i) => [i.name, i.name.replace(/^[^.]*\./, ""), i.detail.split(" ")[0] ?? ""]));
  const unknown = include.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new UsageError(`--include: ${unknown.map((n) => JSON.stringify(n)).join(", ")} not found in the source; it offers: ${items.map((i) => i.name).join(", ") || "nothing"}`);
}

export interface PlanOptions {
  target: Location;
  targetDefaulted: boolean;
  include?: readonly string[];
  name?: string;
}

function stepsFor(analysis: SourceAnalysis, options: PlanOptions): { steps: PlanStep[]; header: string[]; what: string } {
  if (analysis.kind === "catalog") {
    const tables = selectTables(analysis.catalog, options.include);
    const { steps, dropped } = catalogSteps(analysis.source, analysis.catalog, tables, options.target);
    const header = dropped.length > 0 ? [`${dropped.length} foreign key cycle edge${dropped.length === 1 ? " was" : "s were"} left out of the load order (see the comments on the loads)`] : [];
    return { steps, header, what: `${analysis.source.what} (${tables.length} table${tables.length === 1 ? "" : "s"})` };
  }
  if (analysis.kind === "datasets") {
    const datasets = selectDatasets(analysis.datasets, options.include);
    const header = analysis.truncated ? ["The listing was cut short (too many files): some datasets may be missing"] : [];
    return { steps: datasetSteps(analysis.source, datasets, options.target), header, what: `${analysis.source.what} (${datasets.length} dataset${datasets.length === 1 ? "" : "s"})` };
  }
  return { steps: endpointSteps(analysis.source, analysis.analysis, options.target), header: [], what: analysis.source.what };
}

/** The plan for the selected part of the source. */
export function planPipeline(analysis: SourceAnalysis, options: PlanOptions): PipelinePlan {
  checkInclude(analysis, options.include);
  const { steps, header, what } = stepsFor(analysis, options);
  if (steps.length === 0) throw new UsageError(`${what} offers nothing to generate from${options.include ? " with that --include" : ""}; run with --list to see what it has`);
  const env = [...analysis.source.env, ...options.target.env];
  const name = options.name ?? toIdentifier(`${analysis.source.label}_pipeline`, 63, "generated");
  return {
    name,
    description: `Copies ${what} — generated by agent-etl generate`,
    header: [
      `Generated by \`agent-etl generate\` from ${what}. Review it, then: agent-etl run <this file>`,
      ...(env.length > 0 ? [`Set before running: ${env.map((e) => e.name).join(", ")}`] : []),
      ...header,
    ],
    connections: {
      [SOURCE]: { value: analysis.source.written, ...(analysis.source.env.length > 0 ? { comment: analysis.source.env.map((e) => `${e.name}: ${e.why}`) } : {}) },
      [TARGET]: { value: options.target.written, comment: [...targetComment(options.target, options.targetDefaulted), ...options.target.env.map((e) => `${e.name}: ${e.why}`)] },
    },
    steps,
  };
}

export interface GenerateResult {
  text: string;
  /** Variables the file references (names and why; values never leave this process). */
  env: Omit<EnvVar, "value">[];
  notes: string[];
  plan: PipelinePlan;
}

/** Renders and validates; a file with errors throws `GeneratedInvalidError`. */
export function renderChecked(plan: PipelinePlan, env: readonly EnvVar[], notes: readonly string[]): GenerateResult {
  const text = renderPlan(plan);
  const result = validatePipeline(text, { envNames: new Set(env.map((e) => e.name)) });
  const errors = result.problems.filter((p) => p.severity === "error");
  if (errors.length > 0) throw new GeneratedInvalidError(errors, text);
  return { text, env: env.map(({ name, why }) => ({ name, why })), notes: [...notes], plan };
}

export interface GenerateOptions {
  from: string;
  to?: string;
  include?: readonly string[];
  name?: string;
  /** Folder of the file being written (relative roots resolve against it). */
  baseDir: string;
  /** Folder relative `--from`/`--to` paths resolve against. */
  cwd: string;
  logger: Logger;
}

/** The whole command minus I/O of the output file. */
export async function generatePipeline(options: GenerateOptions): Promise<GenerateResult> {
  const source = await parseLocation(options.from, "source", options.baseDir, options.cwd);
  const target = options.to === undefined ? await defaultTarget(options.baseDir) : await parseLocation(options.to, "target", options.baseDir, options.cwd);
  checkTarget(target);
  const analysis = await analyzeSourceForGenerate(source, options.logger);
  const plan = planPipeline(analysis, { target, targetDefaulted: options.to === undefined, ...(options.include ? { include: options.include } : {}), ...(options.name ? { name: options.name } : {}) });
  return renderChecked(plan, [...source.env, ...target.env], [...source.notes, ...target.notes]);
}
