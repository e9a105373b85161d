/**
 * The run's log lines (dist/cli.js, LOG_FORMAT=json LOG_LEVEL=debug): every stderr line of sample
 * runs (one that succeeds, one retried then failing, one streaming from a slow loopback API) parses
 * with the one log line schema (server/src/runner/logSchema.ts), the lines tell the run's story in
 * order, a failure is logged once, and the steps' durations agree with the wall clock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { logLineSchema } from "../../../server/src/runner/logSchema";
import { startApi, type TestApi } from "../../support/httpServer";
import { project, readEvents, runCli, type CliResult } from "./helpers";

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

const p = project("logs");
after(() => p.cleanup());

/** Every stderr line, each checked against the schema (a line that breaks it fails the test, quoted). */
function logLines(r: CliResult): Line[] {
  return r.stderr
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const parsed = logLineSchema.safeParse(JSON.parse(l));
      assert.ok(parsed.success, `a log line that breaks the schema (${parsed.error?.message ?? ""}): ${l}`);
      return parsed.data as Line;
    });
}

const run = (file: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => runCli(["run", file, ...extra], { cwd: p.dir, env: { LOG_FORMAT: "json", LOG_LEVEL: "debug", ...env } });

describe("a run's log lines", () => {
  it("a succeeding run: run_started, each step's start and end with rows, durationMs and attempt, checks, run_finished with totals", async () => {
    p.write("rows.jsonl", Array.from({ length: 120 }, (_, i) => JSON.stringify({ id: i, name: `n${i}` })).join("\n") + "\n");
    const file = p.write("ok.etl.yaml", `version: 1
name: story
connections:
  files: { type: file }
steps:
  - id: read
    extract: { connection: files, path: rows.jsonl }
    checks:
      - row_count: { min: 1 }
  - id: shape
    depends_on: [read]
    transform:
      - filter: id >= 20
  - id: write
    depends_on: [shape]
    load: { connection: files, path: out/ok.jsonl }
`);
    const r = await run(file, ["--run-id", "story1"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = logLines(r);
    const story = lines.filter((l) => l.msg !== "step_progress" && l.msg !== "step_phase" && l.level >= 20);
    assert.equal(story[0]?.msg, "run_started");
    assert.deepEqual(story[0]?.steps, ["read", "shape", "write"]);
    assert.equal(story.at(-1)?.msg, "run_finished");
    assert.ok(lines.every((l) => l.runId === undefined || l.runId === "story1"), "one runId");
    assert.ok(lines.filter((l) => /^(run|step|check)_/.test(l.msg)).every((l) => l.runId === "story1"), "every run line says which run");
    const expected = { read: 120, shape: 100, write: 100 };
    for (const [step, rows] of Object.entries(expected)) {
      const started = story.findIndex((l) => l.msg === "step_started" && l.stepId === step);
      const ended = story.findIndex((l) => l.msg === "step_succeeded" && l.stepId === step);
      assert.ok(started > 0 && ended > started, `${step}: started then succeeded, in order`);
      assert.equal(story[started]?.level, 30);
      assert.deepEqual([story[ended]?.rows, story[ended]?.attempt, typeof story[ended]?.durationMs], [rows, 1, "number"]);
    }
    const check = story.find((l) => l.msg === "check_passed");
    assert.deepEqual([check?.stepId, check?.check, check?.rows], ["read", "row_count", 120]);
    const finished = story.at(-1) as Line;
    assert.deepEqual([finished.status, finished.rows, finished.steps], ["succeeded", 320, { read: "succeeded", shape: "succeeded", write: "succeeded" }]);
    assert.ok(lines.every((l) => l.level < 40), "a clean run warns of nothing");
  });

  it("a retried then failing step: each retry with its reason, and the failure logged once", async () => {
    p.write("big.jsonl", Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(40) })).join("\n") + "\n");
    const file = p.write("retry.etl.yaml", `version: 1
name: retried
connections:
  files: { type: file }
steps:
  - id: slow
    retries: 2
    retry_delay: 10ms
    timeout: 1ms
    extract: { connection: files, path: big.jsonl }
  - id: after
    depends_on: [slow]
    load: { connection: files, path: out/never.jsonl }
`);
    const r = await run(file, ["--run-id", "retry1"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = logLines(r);
    const retries = lines.filter((l) => l.msg === "step_retry");
    assert.deepEqual(retries.map((l) => [l.level, l.stepId, l.attempt, l.code]), [[40, "slow", 2, "timeout"], [40, "slow", 3, "timeout"]]);
    assert.ok(retries.every((l) => typeof l.delayMs === "number" && /longer than its timeout/.test(String(l.error))));
    const errors = lines.filter((l) => l.level >= 50);
    assert.deepEqual(errors.map((l) => [l.msg, l.stepId, l.attempt, l.code]), [["step_failed", "slow", 3, "timeout"]], "one error line, for the one failure");
    const finished = lines.at(-1);
    assert.deepEqual([finished?.msg, finished?.status, finished?.steps], ["run_finished", "failed", { slow: "failed", after: "skipped" }]);
    assert.equal(r.stdout.split("✖ slow failed").length - 1, 1, "stdout says it once too");
  });

  it("LOG_LEVEL=info leaves out the debug detail; LOG_LEVEL=warn leaves out the story", async () => {
    const file = p.write("quiet.etl.yaml", `version: 1
name: quiet
connections:
  files: { type: file }
steps:
  - id: read
    extract: { connection: files, path: rows.jsonl }
`);
    const info = logLines(await run(file, [], { LOG_LEVEL: "info" }));
    assert.deepEqual(info.map((l) => l.msg), ["run_started", "step_started", "step_succeeded", "run_finished"]);
    assert.deepEqual(logLines(await run(file, [], { LOG_LEVEL: "warn" })), []);
  });
});

describe("durations against the wall clock", () => {
  const DELAY = 1200;
  let api: TestApi;
  before(async () => {
    api = await startApi(Array.from({ length: 25 }, (_, i) => ({ id: i + 1, name: `n${i + 1}` })));
  });
  after(() => api?.close());

  it("a slow extract takes at least its delay; the transform streaming from it does not count the wait; no step outlasts the run", async () => {
    const file = p.write("slow.etl.yaml", `version: 1
name: slowapi
connections:
  api: { type: http, base_url: "\${env:LOGS_API}" }
  files: { type: file }
steps:
  - id: fetch
    extract: { connection: api, path: /cursor, records: items, paginate: { type: cursor, param: cursor, next: meta.next_cursor } }
  - id: shape
    depends_on: [fetch]
    transform:
      - filter: id > 5
  - id: write
    depends_on: [shape]
    load: { connection: files, path: out/slow.jsonl }
`);
    api.fail({ delayMs: DELAY });
    const events = join(p.dir, "slow-events.jsonl");
    const t0 = performance.now();
    const r = await run(file, ["--events", events], { LOGS_API: api.url });
    const wall = performance.now() - t0;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // debug: the HTTP extract says each page it fetched (its query, which may hold a token, left out;
    // the base URL came from ${env:}, so it is scrubbed as a secret).
    const pages = logLines(r).filter((l) => l.msg === "HTTP page fetched");
    assert.ok(pages.length >= 3 && pages.every((l) => l.stepId === "fetch" && l.level === 20 && l.request === "GET ***/cursor"), JSON.stringify(pages));
    assert.equal(pages.reduce((n, l) => n + Number(l.rows), 0), 25);
    const ms: Record<string, number> = Object.fromEntries(readEvents(events).filter((e) => e.event === "step_succeeded").map((e) => [e.step, e.duration_ms as number]));
    assert.deepEqual(Object.keys(ms).sort(), ["fetch", "shape", "write"]);
    assert.ok((ms.fetch ?? 0) >= DELAY - 5, `fetch waited ${DELAY} ms for its first page but reported ${ms.fetch} ms`);
    assert.ok((ms.shape ?? Infinity) < DELAY, `shape streamed from fetch and did little; it reported ${ms.shape} ms, counting its upstream's wait`);
    const sum = Object.values(ms).reduce((a, b) => a + b, 0);
    assert.ok(sum <= wall, `the steps' durations (${JSON.stringify(ms)}, sum ${sum} ms) exceed the run's wall clock (${Math.round(wall)} ms)`);
    const summary = r.stdout.match(/^shape\s+succeeded\s+\S+\s+(\d+) ms/m);
    assert.ok(summary && Number(summary[1]) === ms.shape, `the summary shows the same time as --events:\n${r.stdout}`);
  });
});
