/**
 * The CLI's logger: pino to stderr, `LOG_LEVEL` (default info) and `LOG_FORMAT` (`json`, or
 * `pretty` by default on a terminal). Secrets are redacted by key wherever they appear.
 */
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

export function createLogger(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY)): Logger {
  const requested = (env.LOG_LEVEL ?? "info").toLowerCase();
  const level = LEVELS.includes(requested) ? requested : "info";
  const format = env.LOG_FORMAT ?? (isTty ? "pretty" : "json");
  const options = { level, base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  const logger = format === "pretty" ? pino(options, pretty({ destination: 2, sync: true, colorize: isTty, ignore: "pid,hostname" })) : pino(options, pino.destination({ dest: 2, sync: true }));
  if (!LEVELS.includes(requested)) logger.warn({ requested }, "unknown LOG_LEVEL; using info");
  return logger;
}
