/**
 * How the extension calls the `agent-etl` CLI: which executable, which arguments (always an array,
 * never a shell string), which environment. Pure, so it is unit-tested without an editor.
 */
import type { AgentEtlSettings } from "../../../server/src/protocol";

/** What a run task asks for; also the shape of a `tasks.json` entry of type `agent-etl`. */
export interface RunRequest {
  /** The pipeline file (absolute, or relative to the task's folder). */
  file: string;
  steps?: string[];
  resume?: boolean;
  runId?: string;
  ds?: string;
  params?: Record<string, string | number | boolean>;
  dryRun?: boolean;
  concurrency?: number;
}

export interface Invocation {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export type CliSettings = Pick<AgentEtlSettings, "cliPath" | "nodePath" | "logLevel">;

/**
 * The CLI runs with VS Code's own runtime (`process.execPath` with `ELECTRON_RUN_AS_NODE=1`),
 * so users need no Node install, unless a Node path is configured.
 */
export function cliInvocation(settings: CliSettings, bundledCli: string, execPath: string, cliArgs: string[]): Invocation {
  const node = settings.nodePath.trim();
  const cli = settings.cliPath.trim() || bundledCli;
  const env: Record<string, string> = { LOG_LEVEL: settings.logLevel };
  if (node === "") env.ELECTRON_RUN_AS_NODE = "1";
  return { command: node || execPath, args: [cli, ...cliArgs], env };
}

const STEP_ID = /^[a-z][a-z0-9_]{0,62}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DS = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a request (it may come from a user's tasks.json); returns what is wrong, or nothing. */
export function checkRunRequest(r: RunRequest): string | undefined {
  if (typeof r.file !== "string" || r.file.trim() === "") return "the task needs `file`: the pipeline file to run";
  for (const s of r.steps ?? []) if (typeof s !== "string" || !STEP_ID.test(s)) return `\`steps\` holds ${JSON.stringify(s)}, which is not a step id`;
  if (r.ds !== undefined && !DS.test(r.ds)) return `\`ds\` must be a date YYYY-MM-DD, not ${JSON.stringify(r.ds)}`;
  for (const k of Object.keys(r.params ?? {})) if (!PARAM_NAME.test(k)) return `\`params\` has a bad name ${JSON.stringify(k)}`;
  if (r.concurrency !== undefined && (!Number.isInteger(r.concurrency) || r.concurrency < 1)) return "`concurrency` must be a whole number of at least 1";
  return undefined;
}

/** `agent-etl run FILE [--step ID]… [--run-id ID] [--resume] [--ds D] [--param K=V]… [--dry-run] --events FILE`. */
export function runArgs(r: RunRequest, eventsFile: string | undefined): string[] {
  const args = ["run", r.file];
  for (const s of r.steps ?? []) args.push("--step", s);
  if (r.runId) args.push("--run-id", r.runId);
  if (r.resume) args.push("--resume");
  if (r.ds) args.push("--ds", r.ds);
  for (const [k, v] of Object.entries(r.params ?? {})) args.push("--param", `${k}=${String(v)}`);
  if (r.concurrency !== undefined) args.push("--concurrency", String(r.concurrency));
  if (r.dryRun) args.push("--dry-run");
  if (eventsFile) args.push("--events", eventsFile);
  return args;
}

/** The `--events` file of a run, read back from its arguments (for tasks started from tasks.json). */
export function eventsFileOf(args: readonly string[]): string | undefined {
  const i = args.indexOf("--events");
  return i >= 0 ? args[i + 1] : undefined;
}

/** `on`: the command and pipeline path the DAG's tasks use on Airflow's workers (the CLI's defaults name this machine). */
export function exportAirflowArgs(file: string, outDir: string, on?: { cli: string; pipelinePath: string }): string[] {
  return ["export", "airflow", file, "-o", outDir, ...(on ? ["--cli", on.cli, "--pipeline-path", on.pipelinePath] : [])];
}

export function analyzeArgs(file: string, connection?: string): string[] {
  return ["analyze", file, ...(connection ? ["--connection", connection] : []), "--format", "text"];
}

export interface GenerateRequest {
  from: string;
  outFile: string;
  /** Where the data goes; absent: the CLI's default (a local folder beside the file). */
  to?: string;
  /** Only these tables/datasets (names as `--list` prints them). */
  include?: string[];
}

/**
 * One CLI call: its arguments, and environment variables it reads. A typed source or target URL may
 * hold a password: it travels in the environment (readable only by the user), never in the
 * arguments, which `ps` shows to everyone on the machine.
 */
export interface CliCall {
  args: string[];
  env: Record<string, string>;
}

export const GENERATE_FROM_VAR = "AGENT_ETL_GENERATE_FROM";
export const GENERATE_TO_VAR = "AGENT_ETL_GENERATE_TO";

export function generateArgs(r: GenerateRequest): CliCall {
  const args = ["generate", "--from-env", GENERATE_FROM_VAR];
  const env: Record<string, string> = { [GENERATE_FROM_VAR]: r.from };
  if (r.to) {
    args.push("--to-env", GENERATE_TO_VAR);
    env[GENERATE_TO_VAR] = r.to;
  }
  if (r.include && r.include.length > 0) args.push("--include", r.include.join(","));
  args.push("-o", r.outFile);
  return { args, env };
}

const SECRET_PARAM = /token|key|secret|password|passwd|signature|auth|credential/i;

/** A source as typed (a URL may hold a password or a token) with its secrets masked, for messages. */
export function redactSource(from: string): string {
  let url: URL;
  try {
    url = new URL(from);
  } catch {
    return from;
  }
  if (!url.password && ![...url.searchParams.keys()].some((k) => SECRET_PARAM.test(k))) return from;
  if (url.password) url.password = "***";
  for (const k of [...url.searchParams.keys()]) if (SECRET_PARAM.test(k)) url.searchParams.set(k, "***");
  return url.toString();
}

/** `agent-etl generate --from-env VAR --list --format json`: what the source offers, for the picker. */
export function generateListArgs(from: string): CliCall {
  return { args: ["generate", "--from-env", GENERATE_FROM_VAR, "--list", "--format", "json"], env: { [GENERATE_FROM_VAR]: from } };
}

export interface SourceItem {
  name: string;
  kind: string;
  detail: string;
}

/** The `--list --format json` output, checked; anything else is an error naming what was wrong. */
export function parseSourceList(stdout: string): { source: string; items: SourceItem[] } {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    throw new Error(`agent-etl generate --list printed no JSON: ${stdout.trim().slice(0, 200) || "(nothing)"}`);
  }
  const v = value as { source?: unknown; items?: unknown };
  if (typeof v.source !== "string" || !Array.isArray(v.items)) throw new Error("agent-etl generate --list printed JSON without `source` and `items`");
  const items = v.items.filter((i): i is SourceItem => !!i && typeof i === "object" && typeof (i as SourceItem).name === "string")
    .map((i) => ({ name: i.name, kind: String(i.kind ?? ""), detail: String(i.detail ?? "") }));
  return { source: v.source, items };
}

/** The variables to set before running the generated file, as `generate` lists them on stderr ("  NAME  — why"). */
export function envVarsToSet(stderr: string): string[] {
  const lines = stderr.split(/\r?\n/);
  const start = lines.findIndex((l) => /environment variables/i.test(l));
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^\s+([A-Za-z_][A-Za-z0-9_]*)\s+—/.exec(line);
    if (!m?.[1]) break;
    names.push(m[1]);
  }
  return names;
}

/** A task's label in the picker and the terminal tab: "run quickstart.etl.yaml (step load_orders)". */
export function runLabel(r: RunRequest): string {
  const base = r.file.replace(/^.*[\\/]/, "");
  const steps = r.steps && r.steps.length > 0 ? ` (step ${r.steps.join(", ")})` : "";
  return `${r.resume ? "resume" : r.dryRun ? "dry-run" : "run"} ${base}${steps}`;
}
