/**
 * Live analysis entry points: `analyzeSource` answers one request for one connection, loading the
 * connection type's analyzer lazily (the language server must not load `pg` or the AWS SDK before a
 * pipeline needs them), and `resolveForAnalysis` resolves `${env:}`/`${file:}` like the runner.
 */
import { ConnectorError, EtlError } from "../../errors";
import type { Connection } from "../../pipeline/model";
import { findSecretRefs } from "../../pipeline/secrets";
import { resolveConnections, type ResolveOptions } from "../../env/resolve";
import { descriptorFor } from "../registry";
import type { AnalysisFailure, AnalysisRequest, AnalyzeContext, ResultFor } from "./types";

export { AnalysisCache, connectionFingerprint, defaultCacheDir, defaultTtlMs, type AnalysisCacheOptions } from "./cache";

function hasSecretRef(value: unknown): boolean {
  if (typeof value === "string") return findSecretRefs(value).length > 0;
  if (Array.isArray(value)) return value.some(hasSecretRef);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasSecretRef);
  return false;
}

/**
 * True when a connection may be analysed in a workspace the user has not trusted: it stays on this
 * machine and holds no `${env:}`/`${file:}` reference, so opening a file cannot send anything of the
 * user's anywhere. Other types (descriptor `analysis.localOnly` false) reach a server the file names,
 * and may do so with the user's credentials even when the file holds no secret reference (`pg` reads
 * `PGPASSWORD` and `~/.pgpass`, the AWS SDK its default chain).
 */
export function analysableWithoutTrust(connection: Connection): boolean {
  return descriptorFor(connection.type)?.analysis.localOnly === true && !hasSecretRef(connection);
}

/** Answers one analysis request by asking the source (no cache). Rejects with a ConnectorError. */
export async function analyzeSource<R extends AnalysisRequest>(ctx: AnalyzeContext, request: R): Promise<ResultFor<R>> {
  const type = ctx.connection.type;
  const descriptor = descriptorFor(type);
  if (!descriptor) throw new ConnectorError("unsupported-connection", `connection \`${ctx.connectionName}\` has type \`${String(type)}\`, which analysis does not know`);
  const kinds = descriptor.analysis.requests;
  if (!kinds.includes(request.kind)) {
    throw new ConnectorError("analysis-request", `a \`${request.kind}\` analysis does not fit connection \`${ctx.connectionName}\` of type ${type}; it answers ${kinds.join(", ")}`);
  }
  const analyzer = await descriptor.analysis.analyzer();
  try {
    return (await analyzer(ctx, request)) as ResultFor<R>;
  } catch (err: unknown) {
    throw forAnalysis(err);
  }
}

/** Connector messages speak of steps and retries; analysis has neither (the cache retries quietly). */
function forAnalysis(err: unknown): unknown {
  if (!(err instanceof ConnectorError)) return err;
  const message = err.message
    .replace(/ \(transient: [^)]*\)/g, "")
    .replace(/ failed 1 times, last: /, " failed: ")
    .replace(", or let the load create it with `create: true`", "");
  return message === err.message ? err : new ConnectorError(err.code, message, err.transient, { cause: err });
}

export type ResolvedForAnalysis = { connection: Connection; secrets: string[] } | { failure: AnalysisFailure };

/**
 * A connection with its secret references resolved (the runner's rules: environment, `.env`
 * values the caller put in `env`, `${file:}` relative to `baseDir`, only inside
 * `options.secretFolders` when given), or why it cannot be.
 */
export function resolveForAnalysis(name: string, connection: Connection, env: ReadonlyMap<string, string>, baseDir: string, options: ResolveOptions = {}): ResolvedForAnalysis {
  try {
    const resolved = resolveConnections({ [name]: connection }, env, baseDir, [name], options);
    const out = resolved.connections[name];
    if (!out) return { failure: { code: "unknown-connection", message: `connection \`${name}\` is not defined` } };
    return { connection: out, secrets: resolved.secrets };
  } catch (err: unknown) {
    if (err instanceof EtlError) {
      // The runner's message is a header and one line per reference: one line reads better in a diagnostic.
      const lines = err.message.split("\n").map((l) => l.trim());
      return { failure: { code: err.code, message: lines.length > 1 ? lines.slice(1).join("; ") : err.message } };
    }
    throw err;
  }
}
