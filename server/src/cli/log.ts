/**
 * The CLI's logger: pino to stderr, `LOG_LEVEL` (default info) and `LOG_FORMAT` (`json`, or
 * `pretty` by default on a terminal). Secrets are redacted by key wherever they appear.
 */
import { writeSync } from "node:fs";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export const REDACT_PATHS = [
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

/** `fd`: where log lines go (stderr; a test may pass a file). */
export function createLogger(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY), fd = 2): Logger {
  const requested = (env.LOG_LEVEL ?? "info").toLowerCase();
  const level = LEVELS.includes(requested) ? requested : "info";
  const format = env.LOG_FORMAT ?? (isTty ? "pretty" : "json");
  const options = { level, base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  const sink = isTty ? terminalSink(fd) : undefined;
  const logger =
    format === "pretty"
      ? pino(options, pretty({ destination: sink ?? fd, sync: true, colorize: isTty, ignore: "pid,hostname" }))
      : pino(options, sink ?? pino.destination({ dest: fd, sync: true }));
  if (!LEVELS.includes(requested)) logger.warn({ requested }, "unknown LOG_LEVEL; using info");
  return logger;
}
