/** One base error with a stable `code`; callers switch on codes, never on messages. */
export class EtlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command-line usage: exit code 2, one line on stderr. */
export class UsageError extends EtlError {
  constructor(message: string) {
    super("usage", message);
  }
}

/** A pipeline file that cannot be read as text (missing, a folder, binary, too large). */
export class InputError extends EtlError {
  constructor(message: string) {
    super("input", message);
  }
}

/**
 * A failure talking to a data source or sink. `transient` errors (timeouts, dropped connections,
 * HTTP 429/5xx, PostgreSQL serialization/connection errors) are retried by the runner; others fail
 * the step at once. Messages never hold secrets: build them with `scrubSecrets`.
 */
export class ConnectorError extends EtlError {
  constructor(
    code: string,
    message: string,
    readonly transient = false,
    options?: { cause?: unknown },
  ) {
    super(code, message);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** A step failed for a reason that is the pipeline's (a bad cast, a missing column): not retried. */
export class StepError extends EtlError {}
