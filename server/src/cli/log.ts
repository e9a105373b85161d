/**
 * The CLI's logger: pino to stderr, `LOG_LEVEL` (default info) and `LOG_FORMAT` (`json`, or
 * `pretty` by default on a terminal). Secrets are redacted by key wherever they appear.
 */
import { writeSync } from "node:fs";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { escapeControls } from "./format";

const REDACT_PATHS = [
  "password",
  "token",
  "secret_access_key",
  "access_key_id",
  "url",
  "connectionString",
  "*.password",
  "*.token",
  "*.secret_access_key",
  "*.access_key_id",
  "*.url",
  "*.connectionString",
  "*.headers.authorization",
  "*.headers.Authorization",
  "connection.*.password",
];

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const FORMATS = ["json", "pretty"];

/**
 * What is wrong with `LOG_LEVEL` / `LOG_FORMAT` in `env`, with the valid values, or undefined. The
 * CLI refuses to start with one (a usage error): a misspelt level would hide the lines asked for.
 */
export function logSettingsProblem(env: NodeJS.ProcessEnv): string | undefined {
  // Empty is unset, as a shell's `LOG_LEVEL= cmd` or a compose file's `LOG_LEVEL:` means it.
  const level = env.LOG_LEVEL || undefined;
  if (level !== undefined && !LEVELS.includes(level.toLowerCase())) return `LOG_LEVEL=${JSON.stringify(level)} is not a log level; use one of ${LEVELS.join(", ")}`;
  const format = env.LOG_FORMAT || undefined;
  if (format !== undefined && !FORMATS.includes(format)) return `LOG_FORMAT=${JSON.stringify(format)} is not a log format; use one of ${FORMATS.join(", ")}`;
  return undefined;
}

let beforeTerminalLine: (() => void) | undefined;

/**
 * `hook` runs right before each log line is written to stderr when stderr is a terminal: the run's
 * live progress block erases itself there, so a log line is never drawn over (or under) it.
 */
export function onTerminalLog(hook: (() => void) | undefined): void {
  beforeTerminalLine = hook;
}

/** stderr (`fd`) on a terminal, written synchronously after the hook. */
function terminalSink(fd: number): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        beforeTerminalLine?.();
        writeSync(fd, chunk);
        done();
      } catch (err: unknown) {
        done(err as Error);
      }
    },
  });
}

/** Every string in a log entry with its control characters escaped (pretty lines print them raw). */
function escapedValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return escapeControls(value);
  // An Error's message and stack are not own enumerable fields: serialize it as pino would first.
  if (value instanceof Error) return escapedValue(pino.stdSerializers.err(value), depth + 1);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => escapedValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[escapeControls(k)] = escapedValue(v, depth + 1);
  return out;
}

/**
 * In pretty lines an error's message, a step id or a server's answer would reach the terminal as
 * written, so an ESC or BEL in it could restyle or clear the screen: they are escaped first. JSON
 * lines need nothing (JSON.stringify escapes them), and escaping there would change the values.
 */
const PRETTY_SAFE = {
  hooks: {
    logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
      method.apply(this, args.map((a) => (typeof a === "string" ? escapeControls(a) : a)));
    },
  },
  formatters: { log: (entry: Record<string, unknown>) => escapedValue(entry) as Record<string, unknown> },
};

/** `fd`: where log lines go (stderr; a test may pass a file). */
export function createLogger(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY), fd = 2): Logger {
  const requested = (env.LOG_LEVEL || "info").toLowerCase();
  const level = LEVELS.includes(requested) ? requested : "info";
  // An invalid value is refused by main() before any command runs (logSettingsProblem).
  const format = env.LOG_FORMAT === "json" || env.LOG_FORMAT === "pretty" ? env.LOG_FORMAT : isTty ? "pretty" : "json";
  const options = { level, base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  const sink = isTty ? terminalSink(fd) : undefined;
  const logger =
    format === "pretty"
      ? pino({ ...options, ...PRETTY_SAFE }, pretty({ destination: sink ?? fd, sync: true, colorize: isTty, ignore: "pid,hostname" }))
      : pino(options, sink ?? pino.destination({ dest: fd, sync: true }));
  return logger;
}
