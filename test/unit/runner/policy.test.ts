import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectorError } from "../../../server/src/errors";
import { parseDuration, resolvePolicy, retryDelay, type ResolvedPolicy } from "../../../server/src/runner/policy";
import { isTransient, withRetries } from "../../../server/src/runner/retry";
import type { Step } from "../../../server/src/pipeline/model";

const fast: ResolvedPolicy = { retries: 3, retryDelayMs: 5, backoff: "exponential" };

describe("step policy", () => {
  it("merges defaults and step keys", () => {
    const step = { id: "a", retries: 2, timeout: "1m" } as Step;
    assert.deepEqual(resolvePolicy({ defaults: { retries: 5, retry_delay: "30s", retry_backoff: "fixed" } }, step), { retries: 2, retryDelayMs: 30_000, backoff: "fixed", timeoutMs: 60_000 });
    assert.deepEqual(resolvePolicy({}, { id: "b" } as Step), { retries: 0, retryDelayMs: 5_000, backoff: "exponential" });
    assert.equal(parseDuration("250ms"), 250);
    assert.equal(parseDuration("2h"), 7_200_000);
  });

  it("AGENT_ETL_RETRIES replaces the retry count (exported Airflow tasks set it to 0)", () => {
    const step = { id: "a", retries: 4 } as Step;
    assert.equal(resolvePolicy({ defaults: { retries: 2 } }, step, { AGENT_ETL_RETRIES: "0" }).retries, 0);
    assert.equal(resolvePolicy({}, step, { AGENT_ETL_RETRIES: "7" }).retries, 7);
    assert.equal(resolvePolicy({}, step, { AGENT_ETL_RETRIES: "many" }).retries, 4, "not a whole number: ignored");
    assert.equal(resolvePolicy({}, step, {}).retries, 4);
  });

  it("exponential backoff doubles with jitter between half and the full delay", () => {
    const p: ResolvedPolicy = { retries: 5, retryDelayMs: 1000, backoff: "exponential" };
    assert.equal(retryDelay(p, 1, () => 0), 500);
    assert.equal(retryDelay(p, 1, () => 1), 1000);
    assert.equal(retryDelay(p, 3, () => 0), 2000);
    assert.equal(retryDelay(p, 3, () => 1), 4000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelay(p, 2);
      assert.ok(d >= 1000 && d <= 2000, String(d));
    }
    assert.equal(retryDelay({ ...p, backoff: "fixed" }, 4), 1000);
  });
});

describe("retries", () => {
  it("retries transient errors, then succeeds", async () => {
    const seen: number[] = [];
    const retries: number[] = [];
    const result = await withRetries(
      async (_signal, attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new ConnectorError("reset", "connection reset", true);
        return "ok";
      },
      fast,
      { onRetry: ({ attempt }) => retries.push(attempt) },
    );
    assert.deepEqual(result, { value: "ok", attempts: 3 });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(retries, [1, 2]);
  });

  it("fails at once on a permanent error", async () => {
    let calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls++;
        throw new ConnectorError("bad-record", "line 3 is not valid JSON");
      }, fast),
      /line 3/,
    );
    assert.equal(calls, 1);
  });

  it("gives up after the policy's retries", async () => {
    let calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls++;
        throw new ConnectorError("http-503", "service unavailable", true);
      }, { ...fast, retries: 2 }),
      /service unavailable/,
    );
    assert.equal(calls, 3);
  });

  it("a timeout aborts a hanging attempt, counts as transient and is retried", async () => {
    const aborted: unknown[] = [];
    let calls = 0;
    const result = await withRetries(
      (signal, attempt) => {
        calls++;
        if (attempt === 2) return Promise.resolve("second try");
        return new Promise<string>((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted.push(signal.reason);
            reject(signal.reason);
          });
        });
      },
      { ...fast, retries: 1, timeoutMs: 30 },
    );
    assert.equal(result.value, "second try");
    assert.equal(calls, 2);
    assert.ok(isTransient(aborted[0]));
    assert.match(String((aborted[0] as Error).message), /longer than its timeout \(30 ms\)/);
  });

  it("a timeout fires even when the attempt ignores its signal", async () => {
    await assert.rejects(withRetries(() => new Promise(() => undefined), { ...fast, retries: 0, timeoutMs: 20 }), (err: unknown) => err instanceof ConnectorError && err.code === "timeout");
  });
});
