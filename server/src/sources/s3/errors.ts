/**
 * Turns AWS SDK and socket errors into `ConnectorError`s with stable codes, a transient/permanent
 * verdict for the runner's retry policy, and a message that says what to fix — with every secret
 * scrubbed out (the SDK can echo request details).
 */
import { ConnectorError } from "../../errors";
import { scrubSecrets } from "../../env/scrub";

/** Where the failing call was going, for the message. */
export interface S3ErrorContext {
  /** What we were doing, e.g. `reading s3://bucket/key`. */
  action: string;
  bucket: string;
  connectionName: string;
  endpoint?: string;
  secrets: readonly string[];
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  cause?: unknown;
}

const THROTTLING = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "ProvisionedThroughputExceededException",
]);
const SERVER_SIDE = new Set(["InternalError", "ServiceUnavailable", "RequestTimeout", "RequestTimeoutException", "XMinioServerNotInitialized", "OperationAborted"]);
const NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "TimeoutError",
  "RequestTimeout",
]);
const CREDENTIALS = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired"]);

function shape(err: unknown): SdkErrorShape {
  return typeof err === "object" && err !== null ? (err as SdkErrorShape) : { message: String(err) };
}

/** The first socket-level code in the error or its causes (`ECONNRESET`, `ETIMEDOUT` …). */
function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    const e = shape(current);
    for (const c of [e.code, e.name]) if (c && NETWORK.has(c)) return c;
    current = e.cause;
  }
  return undefined;
}

/** The S3 error code (`NoSuchBucket`, `AccessDenied` …), when the server sent one. */
export function s3ErrorCode(err: unknown): string | undefined {
  const e = shape(err);
  return e.Code ?? (e.$metadata ? e.name : undefined);
}

/** The HTTP status of a failed S3 call, when there was a response. */
export function s3HttpStatus(err: unknown): number | undefined {
  return shape(err).$metadata?.httpStatusCode;
}

/** True for a missing key (GetObject `NoSuchKey`, HeadObject bare 404). */
export function isNotFound(err: unknown): boolean {
  const code = s3ErrorCode(err);
  return code === "NoSuchKey" || code === "NotFound" || (s3HttpStatus(err) === 404 && code !== "NoSuchBucket");
}

function isAbort(err: unknown): boolean {
  const e = shape(err);
  return e.name === "AbortError" || e.code === "ABORT_ERR";
}

function where(ctx: S3ErrorContext): string {
  return `connection "${ctx.connectionName}"${ctx.endpoint ? ` (endpoint ${ctx.endpoint})` : ""}`;
}

/** Classifies any error thrown by the S3 client into a `ConnectorError`. */
export function classifyS3Error(err: unknown, ctx: S3ErrorContext): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = shape(err);
  const code = s3ErrorCode(err);
  const status = s3HttpStatus(err);
  const detail = scrubSecrets(e.message ?? String(err), ctx.secrets);
  const make = (id: string, message: string, transient: boolean) =>
    new ConnectorError(id, scrubSecrets(message, ctx.secrets), transient, { cause: err });

  if (isAbort(err)) return make("aborted", `${ctx.action} was cancelled`, false);
  if (code === "NoSuchBucket")
    return make("s3-no-such-bucket", `${ctx.action} failed: bucket "${ctx.bucket}" does not exist on ${where(ctx)}. Create the bucket or fix \`bucket\` (and \`endpoint\`/\`region\`) in the connection.`, false);
  if (code && CREDENTIALS.has(code))
    return make("s3-credentials", `${ctx.action} failed: the S3 credentials of ${where(ctx)} were rejected (${code}). Check \`access_key_id\`/\`secret_access_key\` (or the AWS default credential chain: AWS_ACCESS_KEY_ID, AWS_PROFILE …).`, false);
  if (code === "AccessDenied" || code === "AllAccessDisabled" || code === "AccountProblem" || status === 403)
    return make("s3-access-denied", `${ctx.action} failed: access denied on bucket "${ctx.bucket}" for ${where(ctx)}. Grant the credentials' user the needed s3:GetObject/s3:PutObject/s3:ListBucket permissions, or use other credentials.`, false);
  if (isNotFound(err))
    return make("not-found", `${ctx.action} failed: no such object in bucket "${ctx.bucket}" (${where(ctx)}). Check the key and the connection's \`prefix\`.`, false);
  if (code === "PermanentRedirect" || code === "AuthorizationHeaderMalformed" || code === "IllegalLocationConstraintException")
    return make("s3-region", `${ctx.action} failed: bucket "${ctx.bucket}" is in another region (${code}). Set \`region\` in ${where(ctx)} to the bucket's region.`, false);
  if ((code && (THROTTLING.has(code) || SERVER_SIDE.has(code))) || status === 429 || (status !== undefined && status >= 500))
    return make("s3-unavailable", `${ctx.action} failed on ${where(ctx)}: the server is busy or failing (${code ?? `HTTP ${status}`}): ${detail}. It will be retried.`, true);
  const net = networkCode(err);
  if (net) return make("s3-network", `${ctx.action} failed: cannot reach S3 for ${where(ctx)} (${net}). Check \`endpoint\` and the network; it will be retried.`, true);
  if (code === "CredentialsProviderError" || e.name === "CredentialsProviderError")
    return make("s3-credentials", `${ctx.action} failed: no S3 credentials for ${where(ctx)}. Set \`access_key_id\`/\`secret_access_key\` or configure the AWS default credential chain.`, false);
  return make("s3-error", `${ctx.action} failed on ${where(ctx)}: ${code ? `${code}: ` : ""}${detail}`, false);
}
