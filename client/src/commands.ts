/** Every command as a factory `(ctx) => handler` (rust-analyzer's pattern), keyed like COMMANDS. */
import * as path from "node:path";
import * as vscode from "vscode";
import { COMMANDS, type RunStepArgs } from "../../server/src/protocol";
import { failureText, runCli } from "./cliProcess";
import type { Ctx } from "./ctx";
import { exportAirflow } from "./exportAirflow";
import { analyzeArgs, envVarsToSet, generateArgs, generateListArgs, parseSourceList, redactSource, type SourceItem } from "./run/cliArgs";
import { previewRows } from "./rows/previewRows";
import { startRun } from "./run/taskProvider";
import type { ResumeRunArgs } from "./runs";
import { requestFailure } from "./serverApi";
import { saveIfDirty, targetPipeline } from "./target";
import { requireTrust } from "./trust";

type Handler = (...args: unknown[]) => unknown;
export type CommandFactories = Record<keyof typeof COMMANDS, (ctx: Ctx) => Handler>;

async function run(ctx: Ctx, action: "Run Pipeline" | "Run Step" | "Resume Last Run", arg: unknown, request: { steps?: string[]; resume?: boolean; runId?: string }): Promise<void> {
  if (!requireTrust(action)) return;
  const uri = await targetPipeline(action, arg);
  if (!uri) return;
  if (ctx.runs.isRunning(uri.fsPath)) {
    void vscode.window.showWarningMessage(`${path.basename(uri.fsPath)} is already running: wait for it to finish, or stop its task (Terminal › Terminate Task).`);
    return;
  }
  await saveIfDirty(uri);
  await startRun(ctx.config, uri, request);
}

function isRunStepArgs(a: unknown): a is RunStepArgs {
  return !!a && typeof a === "object" && typeof (a as RunStepArgs).stepId === "string" && typeof (a as RunStepArgs).uri === "string";
}

async function pickSteps(ctx: Ctx, uri: vscode.Uri): Promise<string[] | undefined> {
  const api = ctx.api;
  if (!api) return undefined;
  let steps;
  try {
    await vscode.workspace.openTextDocument(uri);
    steps = (await api.steps(uri.toString())).steps;
  } catch (err: unknown) {
    void vscode.window.showErrorMessage(`Run Step: cannot list the steps of ${path.basename(uri.fsPath)}: ${requestFailure(err)}`);
    return undefined;
  }
  if (steps.length === 0) {
    void vscode.window.showWarningMessage(`Run Step: ${path.basename(uri.fsPath)} has no steps yet (or does not parse): add a step under \`steps:\`.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(steps.map((s) => ({ label: s.id, description: [s.kind, s.connection].filter(Boolean).join(" · ") })), {
    title: "Run Step: upstream outputs are read from the last run's staging", canPickMany: true, placeHolder: "Pick one or more steps",
  });
  return picked && picked.length > 0 ? picked.map((p) => p.label) : undefined;
}

/** Analyze Sources: what live analysis sees (`agent-etl analyze`), printed to the output channel. */
async function analyze(ctx: Ctx, arg: unknown): Promise<void> {
  const action = "Analyze Sources";
  if (!requireTrust(action)) return;
  const uri = await targetPipeline(action, arg);
  if (!uri) return;
  await saveIfDirty(uri);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${action}: ${path.basename(uri.fsPath)}…` },
    () => runCli(ctx.config, ctx.log, uri, analyzeArgs(uri.fsPath)));
  ctx.log.raw(result.stdout);
  ctx.log.show();
  if (result.code !== 0) void vscode.window.showWarningMessage(`${action}: ${failureText(result)}`);
}

/** Refresh Source Cache: the server forgets and refetches the pipeline's sources, then re-checks columns. */
async function refreshSources(ctx: Ctx, arg: unknown): Promise<void> {
  const action = "Refresh Source Cache";
  if (!requireTrust(action)) return;
  const uri = await targetPipeline(action, arg);
  if (!uri || !ctx.api) return;
  const api = ctx.api;
  try {
    await vscode.workspace.openTextDocument(uri);
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${action}: ${path.basename(uri.fsPath)}…` },
      () => api.refreshSources(uri.toString()));
    const failed = result.failed.map((f) => `${f.connection} (${f.message})`);
    if (failed.length > 0) void vscode.window.showWarningMessage(`${action}: could not reach ${failed.join("; ")}.`);
    else void vscode.window.showInformationMessage(result.refreshed.length > 0 ? `${action}: refreshed ${result.refreshed.join(", ")}.` : `${action}: the pipeline has no connections to analyze.`);
  } catch (err: unknown) {
    void vscode.window.showErrorMessage(`${action} failed: ${requestFailure(err)}`);
  }
}

/** Generate Pipeline from Source: the source, what to include (from `generate --list`), the target, the file. */
async function generate(ctx: Ctx): Promise<void> {
  const title = "Generate Pipeline from Source";
  const folder = vscode.workspace.workspaceFolders?.[0];
  const scope = folder?.uri ?? vscode.Uri.file(process.cwd());
  const from = (await vscode.window.showInputBox({
    title: `${title} (1/4): the source`, ignoreFocusOut: true,
    prompt: "A PostgreSQL URL (postgres://user@host/db; a password is read here and written as ${env:…}), an S3 URL (s3://bucket/prefix?endpoint=…), an API URL (https://…), or a local folder/file",
    validateInput: (v) => (v.trim() === "" ? "Enter where the data comes from." : undefined),
  }))?.trim();
  if (!from) return;
  const listed = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title}: reading the source…` },
    () => {
      const call = generateListArgs(from);
      return runCli(ctx.config, ctx.log, scope, call.args, call.env);
    });
  let items: SourceItem[];
  try {
    if (listed.code !== 0) throw new Error(failureText(listed));
    items = parseSourceList(listed.stdout).items;
  } catch (err: unknown) {
    const pick = await vscode.window.showErrorMessage(`${title}: cannot read ${redactSource(from)}: ${err instanceof Error ? err.message : String(err)}`, "Show Logs");
    if (pick) ctx.log.show();
    return;
  }
  let include: string[] | undefined;
  if (items.length > 1) {
    const picked = await vscode.window.showQuickPick(items.map((i) => ({ label: i.name, description: i.kind, detail: i.detail, picked: i.kind !== "view" })), {
      title: `${title} (2/4): what to include`, canPickMany: true, ignoreFocusOut: true, placeHolder: "Tables or datasets to copy",
    });
    if (!picked || picked.length === 0) return;
    // Views are off by default (the CLI's default too); pass --include only when the choice differs.
    const defaults = items.filter((i) => i.kind !== "view").map((i) => i.name);
    const chosen = picked.map((p) => p.label);
    include = chosen.length === defaults.length && chosen.every((c) => defaults.includes(c)) ? undefined : chosen;
  }
  const to = await vscode.window.showInputBox({
    title: `${title} (3/4): the target`, ignoreFocusOut: true, value: "",
    prompt: "Where the data goes: a PostgreSQL URL, an S3 URL or a local folder. Empty: the folder ./out beside the pipeline file.",
  });
  if (to === undefined) return;
  const target = await vscode.window.showSaveDialog({ title: `${title} (4/4): save the pipeline`, defaultUri: folder ? vscode.Uri.joinPath(folder.uri, "generated.etl.yaml") : undefined, filters: { "ETL pipeline": ["etl.yaml", "yaml"] } });
  if (!target) return;
  const request = { from, outFile: target.fsPath, ...(to.trim() ? { to: to.trim() } : {}), ...(include ? { include } : {}) };
  // The save dialog already asked before replacing a file: --force honours that answer.
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title}: writing ${path.basename(target.fsPath)}…` },
    () => {
      const call = generateArgs(request);
      return runCli(ctx.config, ctx.log, scope, [...call.args, "--force"], call.env);
    });
  if (result.code !== 0) {
    const pick = await vscode.window.showErrorMessage(`${title} failed: ${failureText(result)}`, "Show Logs");
    if (pick) ctx.log.show();
    return;
  }
  await vscode.window.showTextDocument(target, { preview: false });
  const vars = envVarsToSet(result.stderr);
  void vscode.window.showInformationMessage(vars.length > 0 ? `Generated ${path.basename(target.fsPath)}. Set ${vars.join(", ")} (environment or .env) before running it.` : `Generated ${path.basename(target.fsPath)}: review it, then Run Pipeline.`);
}

const COMMAND_FACTORIES: CommandFactories = {
  previewDag: (ctx) => async (arg) => {
    const uri = await targetPipeline("Preview DAG", arg);
    if (uri) ctx.showPreview(uri);
  },
  runPipeline: (ctx) => (arg) => run(ctx, "Run Pipeline", arg, {}),
  runStep: (ctx) => async (arg) => {
    if (isRunStepArgs(arg)) return run(ctx, "Run Step", arg.uri, { steps: [arg.stepId] });
    if (!requireTrust("Run Step")) return;
    const uri = await targetPipeline("Run Step", arg);
    const steps = uri && (await pickSteps(ctx, uri));
    if (uri && steps) await run(ctx, "Run Step", uri, { steps });
  },
  resumeRun: (ctx) => async (arg) => {
    const uri = await targetPipeline("Resume Last Run", arg);
    if (!uri) return;
    // The Runs view names the run to resume; otherwise it is the last one the editor followed.
    const named = arg && typeof arg === "object" && typeof (arg as Partial<ResumeRunArgs>).runId === "string" ? (arg as ResumeRunArgs).runId : undefined;
    const runId = named || (ctx.runs.latestFor(uri.fsPath)?.runId ?? undefined);
    await run(ctx, "Resume Last Run", uri, { resume: true, ...(runId ? { runId } : {}) });
  },
  exportAirflow: (ctx) => (arg) => exportAirflow(ctx, arg),
  analyzeSources: (ctx) => (arg) => analyze(ctx, arg),
  refreshSourceCache: (ctx) => (arg) => refreshSources(ctx, arg),
  generatePipeline: (ctx) => () => generate(ctx),
  showLogs: (ctx) => () => ctx.log.show(),
  previewRows: (ctx) => (arg) => previewRows(ctx, arg),
};

/** Registers every command the server does not already provide (code lenses may target either). */
export function registerCommands(ctx: Ctx, serverCommands: readonly string[]): vscode.Disposable[] {
  return (Object.keys(COMMAND_FACTORIES) as (keyof typeof COMMANDS)[])
    .filter((k) => !serverCommands.includes(COMMANDS[k]))
    .map((k) => vscode.commands.registerCommand(COMMANDS[k], COMMAND_FACTORIES[k](ctx)));
}
