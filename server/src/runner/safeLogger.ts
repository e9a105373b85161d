/**
 * A logger that scrubs the run's resolved secret values out of every message and field, on top of
 * pino's key-based `redact` (which cannot know that a host name or an error text holds a secret).
 * Connectors receive it (and its children) as `logger`.
 */
import type { Logger } from "pino";
import { scrubSecrets } from "../env/scrub";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

function scrubValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return scrubSecrets(value, secrets);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { type: value.name, message: scrubSecrets(value.message, secrets), ...(code !== undefined ? { code } : {}), stack: scrubSecrets(value.stack ?? "", secrets) };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v, secrets, depth + 1)]));
}

export function scrubbingLogger(logger: Logger, secrets: readonly string[]): Logger {
  if (secrets.length === 0) return logger;
  const wrapped = Object.create(logger) as Logger;
  for (const level of LEVELS) {
    const original = logger[level].bind(logger) as (...args: unknown[]) => void;
    (wrapped as unknown as Record<string, unknown>)[level] = (...args: unknown[]) => original(...args.map((a) => scrubValue(a, secrets)));
  }
  (wrapped as unknown as { child: unknown }).child = (bindings: Record<string, unknown>, options?: object) => scrubbingLogger(logger.child(scrubValue(bindings, secrets) as Record<string, unknown>, options), secrets);
  return wrapped;
}
