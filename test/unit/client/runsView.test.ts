/**
 * The Runs view's pure parts: reading `agent-etl runs --format json`, merging the run the editor
 * follows, the one-line texts and sparklines, the Markdown summaries (rendered with markdown-it,
 * the renderer of VS Code's Markdown preview, to see that data never turns into markup), and the
 * DAG preview's last-run status.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { isBadLine, parseEventLine, type RunEvent } from "../../../client/src/run/events";
import { applyEvent, applyExit, initialRunState, type RunState } from "../../../client/src/run/runStatus";
import { HISTORY_FOLDER, parseRuns, runsArgs, type Run, type RunStep } from "../../../client/src/runs/contract";
import { formatDuration, formatStarted, runDescription, sparkline, statusIcon, stepDescription, stepRowsHistory, stepTooltip, runTooltip } from "../../../client/src/runs/format";
import { lastRunView } from "../../../client/src/runs/lastRun";
import { liveRun, withLiveRun } from "../../../client/src/runs/liveRun";
import { escapeMarkdown, runMarkdown, stepMarkdown } from "../../../client/src/runs/summary";
import { nodeLabel } from "../../../client/src/preview/render";

const markdownIt = createRequire(__filename)("markdown-it") as (opts: { html: boolean }) => { render(md: string): string };
/** VS Code's Markdown preview renders with markdown-it, raw HTML allowed. */
const render = (md: string): string => markdownIt({ html: true }).render(md);

const HOSTILE = `<img src=x onerror="alert(1)"> [click](javascript:alert(2)) **bold** \`code\` | pipe\n# heading`;

const step = (id: string, extra: Partial<RunStep> = {}): RunStep => ({
  id, status: "succeeded", rows_in: 10, rows_out: 10, duration_ms: 64, attempts: 1, checks: { passed: 0, failed: 0, warned: 0 }, anomalies: [], error: null, ...extra,
});

function run(id: string, startedAt: string, steps: RunStep[], extra: Partial<Run> = {}): Run {
  return {
    run_id: id, pipeline: "orders", file: "/w/orders.etl.yaml", trigger: "cli", status: "succeeded", started_at: startedAt,
    finished_at: startedAt, duration_ms: 2100, rows_loaded: 1234, skipped_checks: false, anomalies: [], steps, ...extra,
  };
}

function fold(state: RunState, ...raw: object[]): RunState {
  return raw.map((r) => parseEventLine(JSON.stringify(r))).reduce<RunState>((s, e) => (e && !isBadLine(e) ? applyEvent(s, e as RunEvent) : s), state);
}

describe("Runs view: reading the run history", () => {
  it("asks the CLI with an argument array, and knows the history folder", () => {
    assert.deepEqual(runsArgs("/w/a b.etl.yaml"), ["runs", "/w/a b.etl.yaml", "--limit", "20", "--format", "json"]);
    assert.deepEqual(runsArgs("x.etl.yaml", 5).slice(2, 4), ["--limit", "5"]);
    assert.equal(HISTORY_FOLDER, ".etl/history");
  });

  it("reads runs as the contract prints them, dropping unknown fields and defaulting lists a runner leaves out", () => {
    const printed = {
      runs: [{
        run_id: "r2", pipeline: "orders", file: "/w/orders.etl.yaml", trigger: "editor", status: "failed", started_at: "2026-12-07T21:00:00.000Z",
        finished_at: "2026-12-07T21:00:02.000Z", duration_ms: 2000, rows_loaded: 0, skipped_checks: true, future_field: 1,
        anomalies: [{ step: "extract", metric: "rows", value: 10, median: 100, mad: 3, score: 20, message: "extract read 90% fewer rows than usual" }],
        steps: [{ id: "extract", status: "failed", rows_in: null, rows_out: null, duration_ms: null, attempts: 3, checks: { passed: 1, failed: 1, warned: 0 }, anomalies: [], error: { message: "no such file", fix: "create it" } },
          { id: "load", status: "skipped" }],
      }],
    };
    const [r] = parseRuns(JSON.stringify(printed));
    assert.ok(r);
    assert.equal(r.status, "failed");
    assert.equal("future_field" in r, false);
    assert.deepEqual(r.steps[0]?.error, { message: "no such file", fix: "create it" });
    assert.deepEqual(r.steps[1], { id: "load", status: "skipped", rows_in: null, rows_out: null, duration_ms: null, attempts: 0, checks: { passed: 0, failed: 0, warned: 0 }, anomalies: [], error: null });
    assert.deepEqual(parseRuns('{"runs":[]}'), []);
  });

  it("says what is wrong with output that is not the history", () => {
    assert.throws(() => parseRuns(""), /printed nothing/);
    assert.throws(() => parseRuns("error: unknown command 'runs'"), /not JSON: error: unknown command 'runs'/);
    assert.throws(() => parseRuns('{"runs":[{"run_id":"r"}]}'), /not readable: `runs\.0\.pipeline`/);
    assert.throws(() => parseRuns('{"runs":[{"run_id":"r","pipeline":"p","file":"f","trigger":"cli","status":"exploded","started_at":"t","steps":[]}]}'), /`runs\.0\.status`/);
  });
});

describe("Runs view: the run the editor follows", () => {
  const start = initialRunState("/w/orders.etl.yaml", ["extract", "load"], Date.parse("2026-12-07T21:10:00Z"));
  const going = fold(start, { event: "run_started", run_id: "r9", pipeline: "orders", steps: ["extract", "load"] },
    { event: "step_started", step: "extract", attempt: 2 }, { event: "step_progress", step: "extract", rows: 500 });

  it("turns into a record: running, its steps in order with their rows", () => {
    const r = liveRun(going);
    assert.deepEqual([r.run_id, r.pipeline, r.trigger, r.status, r.started_at, r.finished_at], ["r9", "orders", "editor", "running", "2026-12-07T21:10:00.000Z", null]);
    assert.deepEqual(r.steps.map((s) => [s.id, s.status, s.rows_out, s.attempts]), [["extract", "running", 500, 2], ["load", "pending", null, 0]]);
    const starting = liveRun(initialRunState("/w/sub/daily.etl.yml"));
    assert.deepEqual([starting.run_id, starting.pipeline, starting.status], ["", "daily", "running"]);
  });

  it("keeps failed checks and errors, and the loaded rows once finished", () => {
    const ended = fold(going, { event: "check_failed", step: "extract", index: 1, check: "c", kind: "unique", severity: "warn", rows: 5, failed: 1, message: "m", samples: [] },
      { event: "step_failed", step: "extract", error: "boom" }, { event: "run_finished", status: "failed", duration_ms: 900, loaded: [{ step: "load", target: "file:/o", rows: 7 }] });
    const r = liveRun(ended);
    assert.equal(r.status, "failed");
    assert.equal(r.duration_ms, 900);
    assert.equal(r.rows_loaded, 7);
    assert.deepEqual(r.steps[0]?.checks, { passed: 0, failed: 0, warned: 1 });
    assert.deepEqual(r.steps[0]?.error, { message: "boom", fix: null });
  });

  it("replaces its record while going, leaves it to the record once finished, and is added while not recorded", () => {
    const older = run("r1", "2026-12-07T20:00:00Z", [step("extract")]);
    const recordedRunning = run("r9", "2026-12-07T21:10:00Z", [step("extract", { status: "running" })], { status: "running" });
    const merged = withLiveRun([recordedRunning, older], going);
    assert.deepEqual(merged.map((r) => [r.run_id, r.trigger]), [["r9", "editor"], ["r1", "cli"]]);
    assert.equal(merged[0]?.steps[0]?.rows_out, 500, "live rows while going");
    const finished = applyExit(going, 0);
    const recordedDone = { ...recordedRunning, status: "succeeded" as const };
    assert.deepEqual(withLiveRun([recordedDone, older], finished), [recordedDone, older], "the record wins once finished");
    assert.deepEqual(withLiveRun([older], going).map((r) => r.run_id), ["r9", "r1"], "not recorded yet: added, newest first");
    const newer = run("r10", "2026-12-07T22:00:00Z", []);
    assert.deepEqual(withLiveRun([newer, older], finished).map((r) => r.run_id), ["r10", "r9", "r1"], "sorted by start");
    assert.deepEqual(withLiveRun([older], undefined), [older]);
  });
});

describe("Runs view: one-line texts and sparklines", () => {
  it("draws a sparkline scaled between the smallest and largest value, gaps as spaces, flat when steady", () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), "▁▂▃▄▅▆▇█");
    assert.equal(sparkline([100, 100, 100]), "▄▄▄");
    assert.equal(sparkline([10, null, 1000]), "▁ █");
    assert.equal(sparkline([1000, 1000, 1000, 100]), "███▁", "a 90% drop stands out");
    assert.equal(sparkline([]), "");
    assert.equal(sparkline([null, null]), "");
  });

  it("takes a step's rows from its run and the runs before it, oldest first", () => {
    const runs = [5, 4, 3, 2, 1].map((n) => run(`r${n}`, `2026-12-0${n}T10:00:00Z`, n === 3 ? [] : [step("extract", { rows_out: n * 100 })]));
    assert.deepEqual(stepRowsHistory(runs, 0, "extract"), [100, 200, null, 400, 500]);
    assert.deepEqual(stepRowsHistory(runs, 1, "extract"), [100, 200, null, 400]);
    assert.deepEqual(stepRowsHistory(runs, 0, "extract", 2), [400, 500]);
  });

  it("says durations the way people read them", () => {
    assert.deepEqual([64, 999, 2100, 10_400, 65_000, 3_725_000].map(formatDuration), ["64 ms", "999 ms", "2.1 s", "10 s", "1 m 05 s", "1 h 02 m"]);
    assert.equal(formatDuration(null), "");
  });

  it("shows a start as a time today, a date this year, a full date before", () => {
    const now = new Date(2026, 11, 7, 22, 0, 0);
    assert.equal(formatStarted(new Date(2026, 11, 7, 9, 5, 3).toISOString(), now), "09:05:03");
    assert.equal(formatStarted(new Date(2026, 10, 30, 23, 59, 0).toISOString(), now), "Nov 30 23:59");
    assert.equal(formatStarted(new Date(2025, 0, 2, 3, 4, 0).toISOString(), now), "2025-01-02 03:04");
    assert.equal(formatStarted("not a date", now), "not a date");
  });

  it("describes a run and a step: status, duration, rows, sparkline, anomaly marks", () => {
    const anomaly = { step: "extract", metric: "rows", value: 10, median: 100, mad: 2, score: 30, message: "extract read 90% fewer rows than usual" };
    const r = run("r1", "2026-12-07T21:00:00Z", [step("extract", { rows_out: 10, anomalies: [anomaly] })]);
    assert.equal(runDescription(r), "succeeded · 2.1 s · 1,234 rows · ⚠ 1 anomaly");
    assert.equal(runDescription({ ...r, anomalies: [anomaly] }), "succeeded · 2.1 s · 1,234 rows · ⚠ 2 anomalies");
    assert.equal(runDescription({ ...r, status: "running", duration_ms: null, steps: [] }), "running");
    assert.match(runTooltip(r), /⚠ extract read 90% fewer rows than usual/);
    assert.match(runTooltip({ ...r, skipped_checks: true }), /checks were skipped/);
    const s = r.steps[0];
    assert.ok(s);
    assert.equal(stepDescription(s, [100, 100, 10]), "10 rows · 64 ms · ██▁ · ⚠");
    assert.equal(stepDescription(step("one", { rows_out: 1, duration_ms: null }), [1]), "1 row", "no sparkline from one run");
    const failed = step("load", { status: "failed", attempts: 3, rows_out: null, checks: { passed: 2, failed: 1, warned: 0 }, error: { message: "disk full", fix: "free space" } });
    assert.equal(stepTooltip(failed, [null]), "load: failed after 3 attempts\nrows in: 10, rows out: –\nchecks: 2 passed, 1 failed, 0 warned\nerror: disk full\nfix: free space");
    assert.match(stepTooltip(s, [100, null, 10]), /rows over the last 3 runs: 100, –, 10/);
    assert.deepEqual(statusIcon("failed"), { id: "error", color: "testing.iconFailed" });
    assert.equal(statusIcon("running").id, "sync~spin");
  });
});

describe("Runs view: summaries are Markdown where data stays text", () => {
  it("escapes every Markdown and HTML character so the text renders as itself", () => {
    const html = render(escapeMarkdown(HOSTILE));
    assert.ok(!/<img|<a |<strong>|<code>|<h1>|<table/.test(html), html);
    // The rendered text is the input (on one line).
    const text = html.replace(/<\/?p>/g, "").trim().replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    assert.equal(text, HOSTILE.replace("\n", " "));
  });

  it("renders a run: facts, anomalies, a row per step, and each error with its fix, hostile values as text", () => {
    const anomaly = { step: "extract", metric: "rows", value: 10, median: 100, mad: 2, score: 30, message: HOSTILE };
    const r = run("r<1>", "2026-12-07T21:00:00Z", [
      step("extract", { anomalies: [anomaly] }),
      step("load", { status: "failed", rows_out: null, attempts: 2, checks: { passed: 1, failed: 1, warned: 1 }, error: { message: `cannot write ${HOSTILE}`, fix: `remove ${HOSTILE}` } }),
    ], { status: "failed", pipeline: "orders<script>", file: `/w/${HOSTILE}.etl.yaml`, skipped_checks: true });
    const md = runMarkdown(r);
    const html = render(md);
    // The only code span is the summary's own flag name.
    assert.ok(!/<img|<a |<script|<code>/.test(html.replace("<code>--skip-checks</code>", "")), html);
    assert.match(html, /<h1>Run r&lt;1&gt; of orders&lt;script&gt;<\/h1>/);
    assert.equal((html.match(/<tr>/g) ?? []).length, 3, "a header and one row per step");
    assert.match(html, /<td>load<\/td>\s*<td>failed<\/td>\s*<td style="text-align:right">10<\/td>\s*<td style="text-align:right">–<\/td>\s*<td style="text-align:right">64 ms<\/td>\s*<td style="text-align:right">2<\/td>\s*<td>1 passed, 1 failed, 1 warned<\/td>/);
    assert.match(html, /<h2>Anomalies<\/h2>/);
    assert.match(html, /<h3>load<\/h3>/);
    assert.match(html, /<strong>Fix:<\/strong> remove &lt;img/);
    assert.match(html, /Checks were skipped/);
    assert.ok(!md.includes("\n# heading"), "a newline in data never starts a heading");
  });

  it("renders a step: rows over recent runs, anomalies, error and fix", () => {
    const r = run("r2", "2026-12-07T21:00:00Z", []);
    const s = step("load", { status: "failed", error: { message: "line one\nline <two>", fix: null }, anomalies: [{ step: "load", metric: "duration", value: 5000, median: 1000, mad: 10, score: 9.5, message: "load took 5× longer" }] });
    const html = render(stepMarkdown(r, s, [100, null, 10]));
    assert.match(html, /<h1>Step load — run r2 of orders<\/h1>/);
    assert.match(html, /Rows over the last 3 runs:<\/strong> <code>█·▁<\/code> 100 rows, –, 10 rows/);
    assert.match(html, /load took 5× longer — value 5,000, median 1,000, MAD 10, score 9\.5/);
    assert.match(html, /line one<br>\s*line &lt;two&gt;/);
    assert.ok(!html.includes("Fix:"), "no fix line without a fix");
  });
});

describe("Runs view: the DAG preview's last run", () => {
  it("gives each node its recorded status, rows, error and anomalies, and a line naming the run", () => {
    const anomaly = { step: "extract", metric: "rows", value: 10, median: 100, mad: 2, score: 30, message: "extract read 90% fewer rows than usual" };
    const r = run("r3", "2026-12-07T21:00:00Z", [step("extract", { rows_out: 10, anomalies: [anomaly] }), step("load", { status: "failed", rows_out: null, error: { message: "disk full", fix: null }, checks: { passed: 1, failed: 2, warned: 1 } })], { status: "failed", rows_loaded: 0 });
    const view = lastRunView(r);
    assert.equal(view.phase, "failed");
    assert.equal(view.summary, "Last run (cli, 2026-12-07T21:00:00Z) failed: 1/2 steps in 2.1 s, 0 rows loaded; failed: load.");
    assert.deepEqual(view.steps.extract, { state: "succeeded", rows: 10, attempt: 1, error: null, anomalies: [anomaly.message], checks: [] });
    assert.equal(view.steps.load?.error, "disk full");
    assert.deepEqual(view.steps.load?.checks, [
      { check: null, severity: "error", message: "2 checks failed" },
      { check: null, severity: "warn", message: "1 check warned" },
    ]);
    const label = nodeLabel({ id: "extract", kind: "extract", connection: null, description: null, problems: [] }, view.steps.extract);
    assert.match(label, /anomaly: extract read 90% fewer rows than usual/);
  });
});
