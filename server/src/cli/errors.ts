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
