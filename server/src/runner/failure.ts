/** Turns any thrown value into what a data engineer reads: a stable code and a scrubbed message. */
import { ConnectorError, EtlError } from "../errors";
import { scrubSecrets } from "../env/scrub";

export interface Failure {
  code: string;
  message: string;
  transient: boolean;
}

function unwrap(err: unknown): unknown {
  // Streams aborted through a signal throw AbortError with the abort reason as `cause`.
  if (err instanceof Error && err.name === "AbortError" && (err as { cause?: unknown }).cause instanceof EtlError) return (err as { cause: unknown }).cause;
  return err;
}

export function describeFailure(err: unknown, secrets: readonly string[]): Failure {
  const e = unwrap(err);
  if (e instanceof EtlError) return { code: e.code, message: scrubSecrets(e.message, secrets), transient: e instanceof ConnectorError && e.transient };
  if (e instanceof Error) {
    const code = typeof (e as { code?: unknown }).code === "string" ? String((e as unknown as { code: string }).code) : "internal";
    return { code, message: scrubSecrets(e.message, secrets), transient: false };
  }
  return { code: "internal", message: scrubSecrets(String(e), secrets), transient: false };
}
