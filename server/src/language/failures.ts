/**
 * Failures of the server's own code on one document (a bug, whatever the input): each is logged with
 * its stack and shown on the document as an `internal-error` diagnostic; the request that failed gets
 * its empty answer. Nothing a document holds may end the process or leave a rejection unhandled.
 */
import { ErrorCodes, ResponseError } from "vscode-languageserver";
import { internalError, type Problem } from "../pipeline/problem";

export class Failures {
  /** The first failure on each document's current version. */
  private readonly byUri = new Map<string, { version: number; problem: Problem }>();

  constructor(
    private readonly log: (message: string) => void,
    /** Asks for the document's diagnostics again, to show a failure that happened outside them. */
    private readonly republish: (uri: string) => void,
  ) {}

  /** Logs a failure of `what` on a version of a document; the first one per version is kept for its diagnostics. */
  record(uri: string, version: number, what: string, err: unknown): Problem {
    const stack = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
    this.log(`[internal-error] ${what} failed on ${uri} (version ${version}): ${stack}`);
    const known = this.byUri.get(uri);
    if (known?.version === version) return known.problem;
    const problem = internalError(what, err);
    this.byUri.set(uri, { version, problem });
    return problem;
  }

  /** The internal error to show on this version of the document, if something failed on it. */
  of(uri: string, version: number): Problem | undefined {
    const known = this.byUri.get(uri);
    return known?.version === version ? known.problem : undefined;
  }

  /**
   * Runs `fn` for a version of a document; a throw or a rejection is recorded and gives `fallback`. The
   * first failure on a version (outside the diagnostics themselves) republishes them, so it shows. A
   * `ResponseError` is an answer (e.g. a rename to a taken name), not a failure: it goes to the client.
   */
  async guard<T>(uri: string, version: number, what: string, fallback: T, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err: unknown) {
      if (err instanceof ResponseError) throw err;
      this.failed(uri, version, what, err);
      return fallback;
    }
  }

  /** `guard` for a custom request, whose client expects a result or an error: a failure answers an error. */
  async answer<T>(uri: string, version: number, what: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err: unknown) {
      if (err instanceof ResponseError) throw err;
      throw new ResponseError(ErrorCodes.InternalError, this.failed(uri, version, what, err).message);
    }
  }

  private failed(uri: string, version: number, what: string, err: unknown): Problem {
    const isNew = this.of(uri, version) === undefined;
    const problem = this.record(uri, version, what, err);
    if (isNew && what !== CHECKING) this.republish(uri);
    return problem;
  }

  clear(uri: string): void {
    this.byUri.delete(uri);
  }
}

/** What the diagnostics run is called in a failure's message (it is not republished on failure). */
export const CHECKING = "checking this file";
