/** Exporting pipelines for the Airflow tests and reading what Airflow made of them. */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pino from "pino";
import { moduleName } from "../../../server/src/airflow/naming";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { resolvePolicy } from "../../../server/src/runner/policy";
import { exec, type Airflow, type AirflowHome } from "../../support/airflow";

export const ROOT = resolve(__dirname, "..", "..", "..");
export const CLI_JS = join(ROOT, "dist", "cli.js");
export const FIXTURES = join(__dirname, "pipelines", "files");
/** The Airflow run_id dagbagReport.py renders each task's `env` with. */
export const REPORT_RUN_ID = "manual__2024-05-06T07:08:09+00:00";

/** Pipeline files under `dir`, in sub-folders too (not in run state folders such as `.etl/`). */
function pipelineFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      if (e.isDirectory()) return e.name.startsWith(".") || e.name === "node_modules" ? [] : pipelineFiles(join(dir, e.name));
      return /\.etl\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [];
    });
}

/** Every pipeline the DagBag check covers: all of examples/ (whatever is there now) and our own. */
export function allPipelines(): string[] {
  return [...pipelineFiles(join(ROOT, "examples")), ...pipelineFiles(join(ROOT, "test", "golden", "airflow")), ...pipelineFiles(FIXTURES)];
}

export async function runCli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (t) => (stdout += t + "\n"), stderr: (t) => (stderr += t + "\n"), logger: pino({ level: "silent" }), env: process.env, cwd };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** What the tasks are told to run: the CLI words and the pipeline path. */
export interface TaskCommand {
  cli: string[];
  pipelinePath: string;
}

/** Exports `file` into `dags` (by default with the built CLI as the task command); returns the dag_id. */
export async function exportTo(file: string, dags: string, extraArgs: string[] = ["--cli", `node ${JSON.stringify(CLI_JS)}`]): Promise<string> {
  const r = await runCli(["export", "airflow", file, "-o", dags, ...extraArgs]);
  assert.equal(r.code, 0, `export of ${file} failed:\n${r.stderr}`);
  const name = validatePipeline(readFileSync(file, "utf8")).pipeline?.name ?? "";
  return moduleName(name);
}

export interface TaskReport {
  downstream: string[];
  bash_command: string;
  env: Record<string, string>;
  append_env: boolean;
  retries: number;
  retry_delay: number;
  retry_exponential_backoff: boolean;
  execution_timeout: number | null;
  owner: string;
  doc_md: string | null;
}

export interface DagReport {
  fileloc: string;
  description: string | null;
  doc_md: string | null;
  tags: string[];
  schedule: string | null;
  catchup: boolean;
  max_active_runs: number;
  start_date: string;
  tasks: Record<string, TaskReport>;
}

export interface BagReport {
  airflow: string;
  seconds: number;
  import_errors: Record<string, string>;
  warnings: Record<string, string[]>;
  dags: Record<string, DagReport>;
}

/** Runs dagbagReport.py over a folder with the given Airflow. */
export async function dagBag(airflow: Airflow, home: AirflowHome, folder: string): Promise<BagReport> {
  const r = await exec(airflow.python, [join(__dirname, "dagbagReport.py"), folder], { env: home.env, timeoutMs: 5 * 60_000 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("AGENT_ETL_REPORT "));
  assert.ok(r.code === 0 && line, `DagBag report failed (exit ${r.code}):\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  return JSON.parse(line.slice("AGENT_ETL_REPORT ".length)) as BagReport;
}

/** Asserts that what Airflow loaded for `file` is our graph and our pipeline's settings. */
export function assertDagMatches(file: string, dag: DagReport, command: TaskCommand = { cli: ["node", CLI_JS], pipelinePath: file }): void {
  const text = readFileSync(file, "utf8");
  const { pipeline, dag: graph } = validatePipeline(text);
  assert.ok(pipeline, `${file} does not validate`);
  assert.deepEqual(Object.keys(dag.tasks).sort(), graph.nodes.map((n) => n.id).sort(), `${file}: task ids`);
  const edges = Object.entries(dag.tasks).flatMap(([from, t]) => t.downstream.map((to) => `${from} → ${to}`));
  assert.deepEqual(edges.sort(), graph.edges.map((e) => `${e.from} → ${e.to}`).sort(), `${file}: edges`);
  const shown = (s: string) => s.replace(/\0/g, "\uFFFD");
  const about = `Runs pipeline \`${pipeline.name}\` step by step with the agent-etl CLI.`;
  assert.equal(dag.description, pipeline.description !== undefined ? shown(pipeline.description) : null, `${file}: description`);
  assert.equal(dag.doc_md, pipeline.description ? `${shown(pipeline.description)}\n\n${about}` : about, `${file}: doc_md`);
  assert.deepEqual(dag.tags, [...new Set([...(pipeline.tags ?? []).map(shown), "agent-etl"])].sort(), `${file}: tags`);
  assert.equal(dag.catchup, false);
  assert.equal(dag.max_active_runs, 1);
  assert.equal(dag.schedule, pipeline.schedule ?? null, `${file}: schedule`);
  assert.equal(dag.start_date.slice(0, 10), pipeline.start_date ?? "2024-01-01");
  for (const step of pipeline.steps) {
    const task = dag.tasks[step.id] as TaskReport;
    const policy = resolvePolicy(pipeline, step, {});
    assert.equal(task.retries, policy.retries, `${file} ${step.id}: retries`);
    assert.equal(task.retry_delay, policy.retryDelayMs / 1000, `${file} ${step.id}: retry_delay`);
    assert.equal(task.retry_exponential_backoff, policy.backoff === "exponential", `${file} ${step.id}: backoff`);
    assert.equal(task.execution_timeout, policy.timeoutMs !== undefined ? policy.timeoutMs / 1000 : null, `${file} ${step.id}: execution_timeout`);
    assert.equal(task.doc_md, step.description !== undefined ? shown(step.description) : null, `${file} ${step.id}: doc_md`);
    assert.equal(task.append_env, true);
    assert.equal(task.owner, pipeline.owner !== undefined ? shown(pipeline.owner) : "airflow");
    // The env as Airflow renders it: our data unchanged, only run_id, ds and ts filled in; the run id
    // is the pipeline's own, since Airflow's run ids repeat across DAGs; the run history records the
    // run as Airflow's.
    assert.deepEqual(task.env, {
      ...Object.fromEntries(command.cli.map((word, i) => [`AGENT_ETL_CLI_${i}`, word])),
      AGENT_ETL_PIPELINE: command.pipelinePath,
      AGENT_ETL_RUN_ID: `${pipeline.name}__${REPORT_RUN_ID}`,
      AGENT_ETL_DS: "2024-05-06",
      AGENT_ETL_TS: "2024-05-06T07:08:09+00:00",
      AGENT_ETL_RETRIES: "0",
      AGENT_ETL_STEP: step.id,
      AGENT_ETL_TRIGGER: "airflow",
    }, `${file} ${step.id}: env`);
  }
}
