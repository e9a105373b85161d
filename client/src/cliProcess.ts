/** Runs the CLI to completion (export, analyze, generate): argument arrays, no shell. */
import { execFile } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import { cliInvocation, redactSource } from "./run/cliArgs";
import type { Config } from "./config";
import type { Log } from "./log";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env`: variables the call reads (e.g. a typed URL, kept out of the arguments). */
export function runCli(config: Config, log: Log, scope: vscode.Uri, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const inv = cliInvocation(config.settings(scope), config.bundledCli, process.execPath, args);
  const folder = vscode.workspace.getWorkspaceFolder(scope);
  const cwd = folder ? folder.uri.fsPath : path.dirname(scope.fsPath);
  // Secrets belong in `env`, not `args`; should a URL with a password still be an argument, the log masks it.
  log.info(`agent-etl ${args.map(redactSource).join(" ")}`);
  return new Promise((resolve) => {
    execFile(inv.command, inv.args, { cwd, env: { ...process.env, ...env, ...inv.env, LOG_FORMAT: "json" }, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? Number((err as { code?: unknown }).code) : 1) : 0;
      if (err && !stdout && !stderr) log.error(`could not start ${inv.command}`, err);
      log.raw(stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The most useful line of a failed CLI call for a notification. */
export function failureText(r: CliResult): string {
  const lines = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).filter(Boolean);
  for (const l of lines) {
    try {
      const o = JSON.parse(l) as { level?: number; msg?: string };
      if (o.msg && (o.level ?? 0) >= 50) return o.msg;
    } catch {
      return l;
    }
  }
  return lines.at(-1) ?? `exit code ${r.code}`;
}
