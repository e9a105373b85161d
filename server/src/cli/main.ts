/** Command dispatch: `agent-etl <command> …`, `--help`, `--version`; errors become exit codes. */
import { createLogger, logSettingsProblem } from "./log";
import type { AnyCommand, Io } from "./command";
import { COMMAND_NAMES, isCommandName, type CommandName } from "./commandNames";
import { EtlError, UsageError } from "../errors";
import { scrubSecrets } from "../env/scrub";
import { escapeControls } from "./format";
import { closest } from "../pipeline/suggest";

declare const AGENT_ETL_VERSION: string | undefined;

/**
 * Each command's module, loaded only when that command runs: one command's dependencies (the
 * PostgreSQL driver, DuckDB, the MCP SDK, Parquet…) would otherwise be loaded and run at the start
 * of every other one, `--version` included (bench/runs.ts measures the start-up).
 */
const COMMAND_MODULES: Record<CommandName, () => Promise<AnyCommand>> = {
  validate: async () => (await import("./commands/validate.js")).validateCommand,
  dag: async () => (await import("./commands/dag.js")).dagCommand,
  preview: async () => (await import("./commands/preview.js")).previewCommand,
  run: async () => (await import("./commands/run.js")).runCommand,
  runs: async () => (await import("./commands/runs.js")).runsCommand,
  export: async () => (await import("./commands/export.js")).exportCommand,
  analyze: async () => (await import("./commands/analyze.js")).analyzeCommand,
  generate: async () => (await import("./commands/generate.js")).generateCommand,
  mcp: async () => (await import("./commands/mcp.js")).mcpCommand,
};

/** Every command, loaded (the main help lists their summaries; tests go through their options). */
export function loadCommands(): Promise<AnyCommand[]> {
  return Promise.all(COMMAND_NAMES.map((name) => COMMAND_MODULES[name]()));
}

const VERSION = typeof AGENT_ETL_VERSION === "string" ? AGENT_ETL_VERSION : "0.0.0-dev";

async function mainHelp(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "agent-etl — validate, inspect and run ETL pipelines written in YAML (*.etl.yaml)",
    "",
    "Usage: agent-etl <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `agent-etl <command> --help` for a command's options.",
    "Environment: LOG_LEVEL (trace … fatal, default info), LOG_FORMAT (json | pretty).",
  ].join("\n");
}

function lineWriter(stream: NodeJS.WriteStream): (text: string) => void {
  return (text) => stream.write(text.endsWith("\n") ? text : text + "\n");
}

function defaultIo(): Io {
  return {
    stdout: lineWriter(process.stdout),
    stderr: lineWriter(process.stderr),
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
  const best = name.startsWith("-") ? closest(name.replace(/^-+/, ""), ["help", "version"]) : closest(name, COMMAND_NAMES);
  const meant = best === undefined ? "" : name.startsWith("-") ? ` — did you mean --${best}?` : ` — did you mean \`${best}\`?`;
  return `unknown command \`${name}\`${meant}; commands: ${COMMAND_NAMES.join(", ")}`;
}

/** Runs the CLI and returns its exit code. Never throws for user mistakes. */
export async function main(argv: string[], given?: Io): Promise<number> {
  const [name, ...rest] = argv;
  // Before the logger is made: nothing else is needed to answer.
  if (name === "--version" || name === "-V") {
    (given?.stdout ?? lineWriter(process.stdout))(VERSION);
    return 0;
  }
  const io = terminalSafe(given ?? defaultIo());
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(await mainHelp());
    return name === undefined ? 2 : 0;
  }
  const badLogSettings = logSettingsProblem(io.env);
  if (badLogSettings !== undefined) {
    io.stderr(`agent-etl: ${badLogSettings}`);
    return 2;
  }
  let command: AnyCommand | undefined;
  try {
    if (!isCommandName(name)) throw new UsageError(unknownCommand(name));
    command = await COMMAND_MODULES[name]();
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
