/** Step policy (`defaults` and per-step keys) as Airflow operator arguments, written as Python. */
import type { Pipeline, Step, StepPolicy } from "../pipeline/model";

/** The runner's defaults (server/src/runner/policy.ts), so a DAG retries like `agent-etl run`. */
const RUNNER_RETRY_DELAY = "5s";
const RUNNER_MAX_RETRY_DELAY = "30m";

const UNIT_ARG: Record<string, string> = { ms: "milliseconds", s: "seconds", m: "minutes", h: "hours" };

/** `10m` → `datetime.timedelta(minutes=10)`. The schema has checked the pattern. */
function pyTimedelta(duration: string): string {
  const m = /^([0-9]+)(ms|s|m|h)$/.exec(duration);
  if (!m) throw new Error(`bad duration ${JSON.stringify(duration)}`);
  return `datetime.timedelta(${UNIT_ARG[m[2] as string] ?? "seconds"}=${Number(m[1])})`;
}

/** One keyword argument: name and Python expression. */
export type PyArg = [name: string, expr: string];

function policyArgs(policy: Partial<StepPolicy>): PyArg[] {
  const args: PyArg[] = [];
  if (policy.retries !== undefined) args.push(["retries", String(policy.retries)]);
  if (policy.retry_delay !== undefined) args.push(["retry_delay", pyTimedelta(policy.retry_delay)]);
  // `True` means doubling on every Airflow version (3.x reads a serialized True as multiplier 2.0).
  if (policy.retry_backoff !== undefined) args.push(["retry_exponential_backoff", policy.retry_backoff === "exponential" ? "True" : "False"]);
  if (policy.timeout !== undefined) args.push(["execution_timeout", pyTimedelta(policy.timeout)]);
  return args;
}

/** `default_args` entries: the file's `defaults`, completed with the runner's own defaults. */
export function defaultArgs(pipeline: Pick<Pipeline, "defaults">): PyArg[] {
  const d = pipeline.defaults ?? {};
  return policyArgs({
    retries: d.retries ?? 0,
    retry_delay: d.retry_delay ?? RUNNER_RETRY_DELAY,
    retry_backoff: d.retry_backoff ?? "exponential",
    ...(d.timeout !== undefined ? { timeout: d.timeout } : {}),
  }).concat([["max_retry_delay", pyTimedelta(RUNNER_MAX_RETRY_DELAY)]]);
}

/** A step's own policy keys, as overrides of `default_args`. */
export function stepArgs(step: Step): PyArg[] {
  return policyArgs({
    ...(step.retries !== undefined ? { retries: step.retries } : {}),
    ...(step.retry_delay !== undefined ? { retry_delay: step.retry_delay } : {}),
    ...(step.retry_backoff !== undefined ? { retry_backoff: step.retry_backoff } : {}),
    ...(step.timeout !== undefined ? { timeout: step.timeout } : {}),
  });
}
