/**
 * The "Agent ETL Runs" view in a real VS Code (code-server in Chromium) with the packaged .vsix:
 * the workspace's pipelines; a run started from the editor shows running while its source holds the
 * answer, then succeeded with its steps' rows; its summary opens in the Markdown preview; a run made
 * in a terminal appears through the history folder's watcher, its failed step offers Show Fix and
 * Resume; the DAG preview opened with no run going shows the last recorded run. The last three read
 * the CLI's run history (`agent-etl runs FILE --format json`, issue #21).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator } from "playwright-core";
import { openWorkbench, poll, startCodeServer, type CodeServer } from "../support/codeServer";
import { startApi, type TestApi } from "../support/httpServer";
import { FIXTURES, ROOT } from "./paths";
import { packageVsix } from "./vsix";
import { Workbench } from "./workbench";

const TEST_TIMEOUT = 150_000;
/** How long the loopback API holds each answer: the run is going that long at least. */
const HOLD_MS = 8_000;

const slowPipeline = (api: string): string => `version: 1
name: e2e_slow
connections:
  api:
    type: http
    base_url: ${api}
  out:
    type: file
    root: out
steps:
  - id: fetch
    extract:
      connection: api
      path: /echo
  - id: save
    depends_on: [fetch]
    load:
      connection: out
      path: slow.jsonl
      format: jsonl
`;

interface Row {
  label: string;
  description: string;
  level: number;
}

describe("Runs view in code-server", { timeout: 12 * 60_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let workspace: string;
  let api: TestApi;
  let failures = 0;

  before(async () => {
    const vsix = packageVsix();
    api = await startApi([]);
    workspace = mkdtempSync(join(tmpdir(), "agent-etl-e2e-runs-"));
    cpSync(FIXTURES, workspace, { recursive: true });
    writeFileSync(join(workspace, "slow.etl.yaml"), slowPipeline(api.url));
    server = await startCodeServer({ workspace, vsix });
    ({ browser, page: wb } = await openWorkbench(server).then(({ browser, page }) => ({ browser, page: new Workbench(page) })));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await api?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  function onFailureShot(fn: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await fn();
      } catch (err: unknown) {
        await wb?.screenshot(`runs-failure-${++failures}`).catch(() => undefined);
        throw err;
      }
    };
  }

  const pane = (): Locator => wb.page.locator(".pane", { has: wb.page.locator(".pane-header", { hasText: /Agent ETL Runs/i }) });

  /**
   * Shows the Explorer with the Runs view open and the other sections closed: the tree draws only
   * the rows that fit its pane.
   */
  async function showView(): Promise<Locator> {
    const header = pane().locator(".pane-header");
    if (!(await header.isVisible())) await wb.command("View: Show Explorer");
    await header.waitFor({ timeout: 60_000 });
    const others = wb.page.locator('.sidebar .pane-header[aria-expanded="true"]', { hasNotText: /Agent ETL Runs/i });
    for (const h of await others.all()) if (await h.isVisible()) await h.click();
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
    return pane();
  }

  async function rows(): Promise<Row[]> {
    return pane().locator(".monaco-list-row").evaluateAll((els) => els.map((e) => ({
      label: (e.querySelector(".label-name")?.textContent ?? "").trim(),
      description: (e.querySelector(".label-description")?.textContent ?? "").trim(),
      level: Number(e.getAttribute("aria-level") ?? 0),
    })));
  }

  /** The rows under the pipeline `file` (its runs, and the steps of expanded runs). */
  async function under(file: string): Promise<Row[]> {
    const all = await rows();
    const at = all.findIndex((r) => r.level === 1 && r.label === file);
    if (at < 0) return [];
    const end = all.findIndex((r, i) => i > at && r.level === 1);
    return all.slice(at + 1, end < 0 ? undefined : end);
  }

  const row = (label: string | RegExp, level: number): Locator => pane().locator(`.monaco-list-row[aria-level="${level}"]`, { has: wb.page.locator(".label-name", { hasText: label }) }).first();

  async function expand(r: Locator): Promise<void> {
    if ((await r.getAttribute("aria-expanded")) === "false") await r.locator(".monaco-tl-twistie").click();
    await poll("the row to expand", async () => ((await r.getAttribute("aria-expanded")) === "true" ? true : undefined), 10_000);
  }

  /** The first run row of `file` whose description starts with `status`. */
  async function runRow(file: string, status: string, timeoutMs: number): Promise<Row> {
    await expand(row(file, 1));
    return poll(`a ${status} run of ${file}`, async () => {
      // A click on the twistie while the tree re-renders (a run ending elsewhere) can leave the row
      // selected but collapsed: open it again rather than wait on rows that are not drawn.
      if ((await row(file, 1).getAttribute("aria-expanded")) === "false") await row(file, 1).locator(".monaco-tl-twistie").click();
      return (await under(file)).find((r) => r.level === 2 && r.description.startsWith(status));
    }, timeoutMs);
  }

  /** Runs the CLI as a terminal would, outside the editor. */
  function cliRun(file: string): number {
    const r = spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), "run", file], { cwd: workspace, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "warn" } });
    return r.status ?? -1;
  }

  it("lists the workspace's pipelines", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    await showView();
    const names = await poll("the pipelines", async () => {
      const r = (await rows()).filter((x) => x.level === 1).map((x) => x.label);
      return r.length >= 5 ? r : undefined;
    }, 30_000);
    assert.deepEqual(names, ["broken.etl.yaml", "complete.etl.yaml", "failing.etl.yaml", "orders.etl.yaml", "slow.etl.yaml"]);
    await pane().locator('.action-label[aria-label="Refresh Runs"]').click();
    await poll("the pipelines after Refresh", async () => ((await rows()).filter((x) => x.level === 1).length === names.length ? true : undefined), 30_000);
  }));

  it("shows a run started from the editor live: running while its source answers, then succeeded with its steps' rows", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    api.always({ delayMs: HOLD_MS });
    await wb.openFile("slow.etl.yaml");
    await wb.command("Agent ETL: Run Pipeline");
    await showView();
    await runRow("slow.etl.yaml", "running", 60_000);
    // A running run is expanded: its steps show as they go.
    await poll("fetch running", async () => (await under("slow.etl.yaml")).find((r) => r.level === 3 && r.label === "fetch"), 30_000);
    api.always(undefined);
    const done = await runRow("slow.etl.yaml", "succeeded", 90_000);
    assert.match(done.description, /^succeeded · [\d.]+ (ms|s) · 1 row$/);
    await expand(row(done.label, 2));
    const steps = await poll("both steps succeeded", async () => {
      const s = (await under("slow.etl.yaml")).filter((r) => r.level === 3);
      return s.length === 2 && s.every((x) => /^1 row · /.test(x.description)) ? s : undefined;
    }, 30_000);
    assert.deepEqual(steps.map((s) => s.label), ["fetch", "save"]);
    await wb.screenshot("runs-view");
  }));

  it("opens a run's summary in the Markdown preview", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const done = await runRow("slow.etl.yaml", "succeeded", 30_000);
    await row(done.label, 2).click();
    const preview = wb.page.frameLocator("iframe.webview.ready:visible").frameLocator("#active-frame");
    const title = await poll("the run's summary", async () => {
      const h = await preview.locator("h1").first().textContent({ timeout: 2_000 }).catch(() => null);
      return h?.startsWith("Run ") ? h : undefined;
    }, 30_000);
    assert.match(title, /^Run \S+ of e2e_slow$/);
    assert.deepEqual(await preview.locator("tbody tr td:first-child").allTextContents(), ["fetch", "save"]);
    assert.equal(await preview.locator("img, a[href^='javascript']").count(), 0);
  }));

  it("shows a run made in a terminal, and offers Show Fix and Resume on its failed step", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    assert.notEqual(cliRun("failing.etl.yaml"), 0, "the failing pipeline fails");
    await showView();
    const failed = await runRow("failing.etl.yaml", "failed", 60_000);
    await expand(row(failed.label, 2));
    const step = row("read_missing", 3);
    await step.waitFor({ timeout: 30_000 });
    assert.match((await step.locator(".label-description").textContent()) ?? "", /^$|ms|s/);
    await step.hover();
    await step.locator('.action-label[aria-label="Show Fix"]').click();
    const shown = await poll("the fix notification", async () => (await wb.notifications()).find((n) => n.message.startsWith("Step read_missing failed")), 30_000);
    assert.match(shown.message, /no_such_file\.csv/);
    assert.ok(shown.actions.includes("Resume"), `actions: ${shown.actions.join(", ")}`);
    assert.equal(await wb.page.title().then((t) => t.startsWith("failing.etl.yaml")), true, "the pipeline is open at the step");
    await wb.command("Notifications: Clear All Notifications");
    await step.hover();
    await step.locator('.action-label[aria-label="Resume"]').click();
    // The resumed run is the editor's: it ends with the run's notification (it fails again).
    await poll("the resumed run's end", async () => (await wb.notifications()).find((n) => /Pipeline e2e_failing failed/.test(n.message)), 90_000);
  }));

  it("shows the last recorded run in the DAG preview opened with no run going", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    assert.equal(cliRun("orders.etl.yaml"), 0, "orders runs");
    await wb.command("View: Close All Editors");
    await wb.openFile("orders.etl.yaml");
    await wb.command("Agent ETL: Preview DAG");
    const view = wb.webview();
    await poll("three succeeded nodes", async () => ((await view.locator(".node.state-succeeded").count()) === 3 ? true : undefined), 60_000);
    assert.match((await view.locator("#run").textContent()) ?? "", /^Last run \(cli, .+\) succeeded: 3\/3 steps/);
  }));
});
