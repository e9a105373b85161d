/** Command dispatch: `agent-etl <command> …`, `--help`, `--version`; errors become exit codes. */
import { createLogger, logSettingsProblem } from "./log";
import type { AnyCommand, Io } from "./command";
import { analyzeCommand } from "./commands/analyze";
import { dagCommand } from "./commands/dag";
import { exportCommand } from "./commands/export";
import { generateCommand } from "./commands/generate";
import { mcpCommand } from "./commands/mcp";
import { previewCommand } from "./commands/preview";
import { runCommand } from "./commands/run";
import { runsCommand } from "./commands/runs";
import { validateCommand } from "./commands/validate";
import { EtlError, UsageError } from "../errors";
import { scrubSecrets } from "../env/scrub";
import { escapeControls } from "./format";
import { closest } from "../pipeline/suggest";

declare const AGENT_ETL_VERSION: string | undefined;

export const COMMANDS: readonly AnyCommand[] = [validateCommand, dagCommand, previewCommand, runCommand, runsCommand, exportCommand, analyzeCommand, generateCommand, mcpCommand];

const VERSION = typeof AGENT_ETL_VERSION === "string" ? AGENT_ETL_VERSION : "0.0.0-dev";

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "agent-etl — validate, inspect and run ETL pipelines written in YAML (*.etl.yaml)",
    "",
    "Usage: agent-etl <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `agent-etl <command> --help` for a command's options.",
    "Environment: LOG_LEVEL (trace … fatal, default info), LOG_FORMAT (json | pretty).",
  ].join("\n");
}

function defaultIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
    stderr: (text) => process.stderr.write(text.endsWith("\n") ? text : text + "\n"),
    logger: createLogger(),
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * The output boundary: every text a command prints passes here, so control characters from a
 * pipeline file or a server are escaped (escapeControls) whatever the command and its format.
 */
function terminalSafe(io: Io): Io {
  return { ...io, stdout: (text) => io.stdout(escapeControls(text)), stderr: (text) => io.stderr(escapeControls(text)) };
}

/** An unknown command, with the one probably meant (`valdate` → `validate`) and the list. */
function unknownCommand(name: string): string {
  const names = COMMANDS.map((c) => c.name);
  const best = name.startsWith("-") ? closest(name.replace(/^-+/, ""), ["help", "version"]) : closest(name, names);
  const meant = best === undefined ? "" : name.startsWith("-") ? ` — did you mean --${best}?` : ` — did you mean \`${best}\`?`;
  return `unknown command \`${name}\`${meant}; commands: ${names.join(", ")}`;
}

/** Runs the CLI and returns its exit code. Never throws for user mistakes. */
export async function main(argv: string[], given: Io = defaultIo()): Promise<number> {
  const io = terminalSafe(given);
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(VERSION);
    return 0;
  }
  const badLogSettings = logSettingsProblem(io.env);
  if (badLogSettings !== undefined) {
    io.stderr(`agent-etl: ${badLogSettings}`);
    return 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(unknownCommand(name));
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(`Usage: ${command.usage}\n\n${command.help}`);
      return 0;
    }
    return await command.run(command.parse(rest), io);
  } catch (err: unknown) {
    // Errors can quote what the user typed (a URL with a password or a ?token=): scrub it.
    if (err instanceof EtlError) {
      const hint = err instanceof UsageError ? ` (see agent-etl ${command?.name ?? ""}${command ? " " : ""}--help)` : "";
      io.stderr(`agent-etl: ${scrubSecrets(err.message)}${hint}`);
      return err.code === "usage" || err.code === "input" ? 2 : 1;
    }
    const message = scrubSecrets(err instanceof Error ? err.message : String(err));
    // Not `{err}`: Node's own errors carry their input (an invalid URL's `input`) as a field.
    io.logger.fatal({ err: { type: err instanceof Error ? err.name : typeof err, message, stack: scrubSecrets(err instanceof Error ? (err.stack ?? "") : "") } }, "internal error");
    io.stderr(`agent-etl: internal error: ${message} — please report it`);
    return 1;
  }
}
