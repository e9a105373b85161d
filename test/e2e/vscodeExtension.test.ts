/**
 * The packaged .vsix in a real VS Code (code-server 4.103.2 in Chromium): the scenarios a user
 * meets first. One editor session is shared by the tests below, which run in order.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import type { Browser } from "playwright-core";
import { openWorkbench, poll, startCodeServer, type CodeServer } from "../support/codeServer";
import { SERVER_NODE_FLAGS } from "../../server/src/protocol";
import { FIXTURES, ROOT } from "./paths";
import { packageVsix } from "./vsix";
import { PROBE_FILES, PROBE_SETTINGS, packageYamlProbe, writeProbeFiles } from "./yamlProbe";
import { Workbench } from "./workbench";

const TEST_TIMEOUT = 120_000;
const QUICKSTART = join(ROOT, "examples", "quickstart");

/** A 500-step pipeline: one extract fanning out into a binary tree of transforms. */
function bigPipeline(n: number): string {
  const steps = ["  - id: s0\n    extract:\n      connection: files\n      path: orders.csv"];
  for (let i = 1; i < n; i++) steps.push(`  - id: s${i}\n    depends_on: [s${Math.floor((i - 1) / 2)}]\n    transform:\n      - limit: 10`);
  return `version: 1\nname: big\nconnections:\n  files:\n    type: file\n    root: data\nsteps:\n${steps.join("\n")}\n`;
}

/** What the quickstart must produce, worked out from its inputs: paid orders of known customers. */
function quickstartExpectation(dir: string): { orderIds: number[]; ordersByCountry: Record<string, number> } {
  const customers = new Map((parse(readFileSync(join(dir, "data", "customers.csv"), "utf8"), { columns: true }) as { id: string; country: string }[]).map((c) => [Number(c.id), c.country]));
  const orders = JSON.parse(readFileSync(join(dir, "data", "orders.json"), "utf8")) as { order_id: number; customer_id: string; status: string }[];
  const joined = orders.filter((o) => o.status === "paid" && customers.has(Number(o.customer_id)));
  const ordersByCountry: Record<string, number> = {};
  for (const o of joined) {
    const country = customers.get(Number(o.customer_id)) as string;
    ordersByCountry[country] = (ordersByCountry[country] ?? 0) + 1;
  }
  return { orderIds: joined.map((o) => o.order_id).sort(), ordersByCountry };
}

/** The 1-based position of `needle` in a file; a needle ending in "\n" must end its line. */
function lineOf(file: string, needle: string): { line: number; column: number } {
  const lines = readFileSync(file, "utf8").split("\n");
  const atEnd = needle.endsWith("\n");
  needle = needle.replace(/\n$/, "");
  const i = lines.findIndex((l) => (atEnd ? l.endsWith(needle) : l.includes(needle)));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return { line: i + 1, column: (lines[i] as string).indexOf(needle) + 1 };
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry.name === name) return path;
  }
  return undefined;
}

describe("VS Code extension in code-server", { timeout: 15 * 60_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let workspace: string;
  const timings: Record<string, number> = {};

  before(async () => {
    let t = Date.now();
    const vsix = packageVsix();
    timings.vsixBytes = statSync(vsix).size;
    timings.packageMs = Date.now() - t;
    t = Date.now();
    const yamlProbe = await packageYamlProbe();
    timings.yamlProbePackageMs = Date.now() - t;
    workspace = mkdtempSync(join(tmpdir(), "agent-etl-e2e-"));
    cpSync(FIXTURES, workspace, { recursive: true });
    writeFileSync(join(workspace, "big.etl.yaml"), bigPipeline(500));
    writeProbeFiles(workspace);
    cpSync(QUICKSTART, join(workspace, "quickstart"), { recursive: true, filter: (src) => !src.includes(`${QUICKSTART}/out/`) && !src.includes(`${QUICKSTART}/.etl`) });
    t = Date.now();
    server = await startCodeServer({ workspace, vsix, alsoInstall: [yamlProbe], settings: PROBE_SETTINGS });
    timings.codeServerStartMs = Date.now() - t;
    ({ browser, page: wb } = await openWorkbench(server).then(({ browser, page }) => ({ browser, page: new Workbench(page) })));
  });

  /** Saves a screenshot when a test fails, to see what the editor showed. */
  let failures = 0;
  function onFailureShot(fn: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await fn();
      } catch (err: unknown) {
        await wb?.screenshot(`failure-${++failures}`).catch(() => undefined);
        throw err;
      }
    };
  }

  after(async () => {
    console.log(`e2e figures: ${JSON.stringify(timings)}`);
    await browser?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("activates on the quickstart and publishes its diagnostics", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    await wb.openFile("quickstart.etl.yaml");
    const log = await poll("the extension's log to report first diagnostics", () => {
      const file = findFile(server.userDataDir, "Agent ETL.log");
      const text = file ? readFileSync(file, "utf8") : "";
      return /first diagnostics (\d+) ms after activation/.test(text) ? text : undefined;
    }, 60_000);
    timings.activationToDiagnosticsMs = Number(/first diagnostics (\d+) ms after activation/.exec(log)?.[1]);
    const language = await wb.page.locator('[id="status.editor.mode"]').textContent();
    assert.match(language ?? "", /ETL Pipeline/, "our language id, so YAML servers leave the file alone");
    // The language server runs with the extension's Node flags (a larger young generation: faster first diagnostics).
    const serverArgs = readdirSync("/proc")
      .filter((pid) => /^\d+$/.test(pid))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        } catch {
          return [];
        }
      })
      .find((args) => args.some((a) => a.startsWith(join(server.extensionsDir, "agent-etl.agent-etl-")) && a.endsWith(join("dist", "server.js"))));
    assert.ok(serverArgs, "the language server's process is running");
    for (const flag of SERVER_NODE_FLAGS) assert.ok(serverArgs.includes(flag), `the server was started with ${flag}: ${serverArgs.join(" ")}`);
  }));

  it("shows diagnostics in the Problems panel and clears them when fixed", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    await wb.openFile("broken.etl.yaml");
    const rows = await poll("a problem for the unknown step", async () => {
      const r = await wb.problems();
      return r.some((l) => /frist/.test(l)) ? r : undefined;
    }, 30_000);
    assert.ok(rows.some((l) => /frist/.test(l) && /unknown-step|no step/i.test(l)), `Problems: ${rows.join(" | ")}`);
    await wb.screenshot("problems");
    // Fix it in the editor with Find/Replace, as a user would.
    await wb.focusEditor();
    await wb.page.keyboard.press("Control+H");
    await wb.page.locator(".find-widget textarea").first().fill("frist");
    await wb.page.locator(".find-widget .replace-part textarea").fill("first");
    await wb.page.keyboard.press("Control+Alt+Enter");
    await poll("the Problems panel to clear", async () => ((await wb.problems()).some((l) => /frist/.test(l)) ? undefined : true), 30_000);
  }));

  // Red Hat's YAML extension runs yaml-language-server on every document of language `yaml` and
  // gives it our `yamlValidation` schema; our language id must keep it off pipeline files, or each
  // problem and completion would come twice. The YAML probe stands in for it (test/e2e/yamlProbe.ts).
  it("leaves pipeline files to our server alone when a YAML server runs beside it", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const started = Date.now();
    const probeLog = (): string => {
      const file = findFile(server.userDataDir, "YAML Probe.log");
      return file ? readFileSync(file, "utf8") : "";
    };
    const fromYamlServer = (row: string): boolean => /generated by (yaml-schema|YAML)\b/.test(row);
    // The controls: the same text as a `yaml` document (our file name, our contributed schema) and as
    // a plain .yaml file with a schema modeline. yaml-language-server must flag `retries` in both.
    await wb.openFile(PROBE_FILES.modeline);
    await wb.openFile(PROBE_FILES.asYaml);
    assert.match((await wb.page.locator('[id="status.editor.mode"]').textContent()) ?? "", /^\s*YAML\s*$/);
    await poll("yaml-language-server's problems for both controls", async () => {
      const byFile = await wb.problemsByFile();
      return [PROBE_FILES.modeline, PROBE_FILES.asYaml].every((f) => byFile[f]?.some((r) => fromYamlServer(r) && /line \d+ and character 14/.test(r))) ? true : undefined;
    }, 30_000);

    await wb.openFile(PROBE_FILES.pipeline);
    assert.match((await wb.page.locator('[id="status.editor.mode"]').textContent()) ?? "", /ETL Pipeline/);
    const rows = await poll("our problems for the pipeline", async () => {
      const r = (await wb.problemsByFile())[PROBE_FILES.pipeline] ?? [];
      return r.some((l) => /retries/.test(l)) && r.some((l) => /read_ordres/.test(l)) ? r : undefined;
    }, 30_000);
    await wb.screenshot("yaml-probe-problems");
    assert.ok(rows.every((r) => /generated by agent-etl$/.test(r)), `all from our server: ${rows.join(" | ")}`);
    assert.equal(rows.filter((r) => /at line 10 and character 14\./.test(r)).length, 1, `the schema error once: ${rows.join(" | ")}`);
    assert.equal(rows.filter((r) => /read_ordres/.test(r)).length, 1, `the unknown step once: ${rows.join(" | ")}`);

    // Completion of a step key: ours once each, while the YAML server offers the same keys in the
    // control. A prefix keeps the list short enough to be shown whole (the widget shows 12 rows).
    const blank = lineOf(join(workspace, PROBE_FILES.pipeline), "    \n");
    await wb.gotoLine(blank.line, 5);
    const ours = await wb.suggestionsWhileTyping("retr");
    assert.deepEqual(ours.filter((l, i) => ours.indexOf(l) !== i), [], `offered twice: ${ours.join(", ")}`);
    await wb.openFile(PROBE_FILES.asYaml);
    await wb.gotoLine(blank.line, 5);
    const theirs = await wb.suggestionsWhileTyping("retr");
    assert.ok(ours.length > 0 && theirs.some((l) => ours.includes(l)), `the YAML server offers our keys in the control, so two servers on one file would double them (ours: ${ours.join(", ")}; theirs: ${theirs.join(", ")})`);

    // The probe logged the control's completion after everything above: the pipeline never reached it.
    const log = await poll("the probe to log the control's completion", () => (probeLog().includes(`completion ${pathToFileURL(join(workspace, PROBE_FILES.asYaml)).href}`) ? probeLog() : undefined), 10_000);
    assert.ok(!log.includes(`/${PROBE_FILES.pipeline}`), `the YAML server was given the pipeline:\n${log}`);
    await wb.command("View: Close All Editors");
    timings.yamlProbeMs = Date.now() - started;
  }));

  it("completes step ids and connection names", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const file = join(workspace, "complete.etl.yaml");
    await wb.openFile("complete.etl.yaml");
    const dep = lineOf(file, "depends_on: []");
    await wb.gotoLine(dep.line, dep.column + "depends_on: [".length);
    const steps = await wb.suggestions();
    assert.ok(steps.includes("read_orders"), `offered: ${steps.join(", ")}`);
    await wb.screenshot("completion");
    await wb.page.keyboard.press("Escape");
    const conn = lineOf(file, "connection: \n");
    await wb.gotoLine(conn.line, conn.column + "connection: ".length);
    const names = await wb.suggestions();
    // The step has `table:`, so only PostgreSQL connections fit.
    assert.ok(names.includes("warehouse_db"), `offered: ${names.join(", ")}`);
    await wb.page.keyboard.press("Escape");
  }));

  it("previews the DAG: one node per step, labels escaped, click reveals the step", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const file = join(workspace, "orders.etl.yaml");
    await wb.openFile("orders.etl.yaml");
    await wb.command("Agent ETL: Preview DAG");
    const view = wb.webview();
    await poll("three nodes in the preview", async () => ((await view.locator(".node").count()) === 3 ? true : undefined), 60_000);
    assert.deepEqual((await view.locator(".node").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")))).sort(), ["big_orders", "extract_orders", "load_big_orders"]);
    assert.equal(await view.locator("img").count(), 0, "the description's <img> stays text");
    assert.equal(await view.locator("body").getAttribute("data-pwned"), null);
    assert.match((await view.locator('.node[data-id="extract_orders"] title').textContent()) ?? "", /<img src=x onerror=/);
    await wb.screenshot("preview");

    await view.locator('.node[data-id="load_big_orders"]').click();
    const target = lineOf(file, "id: load_big_orders");
    await poll("the cursor on load_big_orders", async () => {
      const c = await wb.cursor();
      return c.line === target.line ? true : undefined;
    }, 20_000);

    const inside = lineOf(file, "path: orders.csv");
    await wb.gotoLine(inside.line, inside.column);
    await poll("extract_orders highlighted", async () => ((await view.locator('.node.highlight[data-id="extract_orders"]').count()) === 1 ? true : undefined), 10_000);

    // Export the picture: code-server's save dialog is a quick input holding the proposed path.
    await view.locator("#exportSvg").click();
    const input = wb.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await poll("the proposed file name", async () => ((await input.inputValue()).endsWith("e2e_orders.dag.svg") ? true : undefined), 10_000);
    await input.press("Enter");
    const svgFile = join(workspace, "e2e_orders.dag.svg");
    const svg = await poll("the exported SVG", () => (existsSync(svgFile) ? readFileSync(svgFile, "utf8") : undefined), 15_000);
    assert.equal((svg.match(/class="node /g) ?? []).length, 3);
    assert.ok(svg.includes("&lt;img src=x onerror=") && !svg.includes("<img"), "labels are escaped in the exported file too");
    assert.ok(!svg.includes("var(--"), "theme colours are resolved, so the file looks the same outside VS Code");
  }));

  it("draws a 500-step pipeline and zooms it smoothly", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    await wb.openFile("big.etl.yaml");
    const view = wb.webview();
    await poll("500 nodes in the preview", async () => ((await view.locator(".node").count()) === 500 ? true : undefined), 90_000);
    const log = findFile(server.userDataDir, "Agent ETL.log");
    timings.layout500Ms = Number(/DAG preview: 500 nodes laid out in (\d+) ms/.exec(log ? readFileSync(log, "utf8") : "")?.[1]);
    // Sixty zoom steps, one per frame: how long frames take while the whole graph is transformed.
    // (A string, not a function: tsx would add helpers the page does not have.)
    // Built from source text: a function written here would carry tsx's helpers into the page.
    // Frame times with nothing happening (the machine's baseline), then during sixty zoom steps
    // (ctrl+wheel) and sixty pan steps (a plain wheel pans).
    const measure = new Function("canvas", `return new Promise((resolve) => {
      const idle = [], zoom = [], pan = [];
      let last = performance.now();
      const step = (t) => {
        const list = idle.length < 30 ? idle : zoom.length < 60 ? zoom : pan;
        list.push(t - last);
        last = t;
        const back = list.length % 20 < 10 ? -1 : 1;
        if (list === zoom) canvas.dispatchEvent(new WheelEvent("wheel", { deltaY: 60 * back, ctrlKey: true, clientX: 300, clientY: 300, bubbles: true, cancelable: true }));
        if (list === pan) canvas.dispatchEvent(new WheelEvent("wheel", { deltaX: 30, deltaY: 20, bubbles: true, cancelable: true }));
        if (pan.length < 60) requestAnimationFrame(step); else resolve({ idle: idle.slice(1), zoom: zoom.slice(1), pan: pan.slice(1) });
      };
      requestAnimationFrame(step);
    });`) as (canvas: Element) => Promise<{ idle: number[]; zoom: number[]; pan: number[] }>;
    const before = await view.locator("#world").evaluate((el) => getComputedStyle(el).transform);
    const frames = await view.locator("#canvas").evaluate(measure);
    const median = (xs: number[]): number => Math.round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? -1);
    timings.idleFrameMedianMs = median(frames.idle);
    timings.zoomFrameMedianMs = median(frames.zoom);
    timings.panFrameMedianMs = median(frames.pan);
    assert.notEqual(await view.locator("#world").evaluate((el) => getComputedStyle(el).transform), before, "the wheel moved the view");
    assert.equal(await view.locator("#minimap").isVisible(), true, "a minimap from 200 steps");
    // A click on the minimap centres the view there.
    const mini = await view.locator("#minimap canvas").boundingBox();
    assert.ok(mini);
    const atMinimap = await view.locator("#world").evaluate((el) => getComputedStyle(el).transform);
    await wb.page.mouse.click(mini.x + mini.width * 0.9, mini.y + mini.height * 0.5);
    await poll("the minimap to move the view", async () => ((await view.locator("#world").evaluate((el) => getComputedStyle(el).transform)) !== atMinimap ? true : undefined), 5_000);
    await wb.screenshot("preview-500");
  }));

  it("runs the pipeline in the terminal: output rows appear and nodes turn succeeded", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    await wb.openFile("orders.etl.yaml");
    await wb.command("Agent ETL: Run Pipeline");
    const out = join(workspace, "out", "big_orders.csv");
    const csv = await poll("out/big_orders.csv", () => (existsSync(out) && readFileSync(out, "utf8").trim().split("\n").length >= 4 ? readFileSync(out, "utf8") : undefined), 90_000);
    const rows = csv.trim().split(/\r?\n/);
    assert.equal(rows[0], "id,customer,amount");
    assert.deepEqual(rows.slice(1).map((r) => r.split(",")[0]).sort(), ["2", "3", "5"]);
    const view = wb.webview();
    await poll("all nodes succeeded", async () => ((await view.locator(".node.state-succeeded").count()) === 3 ? true : undefined), 30_000);
    // The end names what was written and the rows loaded there; the preview is open, so no button to open it.
    const done = await poll("the run's notification", async () => (await wb.notifications()).find((n) => n.message.includes("Pipeline e2e_orders succeeded")), 15_000);
    assert.match(done.message, new RegExp(`loaded ${rows.length - 1} rows into out/big_orders\\.csv\\.$`));
    assert.ok(!done.actions.includes("Preview DAG"), `actions: ${done.actions.join(", ")}`);
    await wb.screenshot("run");
  }));

  it("runs one step with Run Step, reading its upstream from staging", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const out = join(workspace, "out", "big_orders.csv");
    const before = statSync(out).mtimeMs;
    await wb.openFile("orders.etl.yaml");
    await wb.command("Agent ETL: Run Step…");
    const row = wb.page.locator(".quick-input-widget .monaco-list-row", { hasText: "load_big_orders" }).first();
    await row.waitFor({ state: "visible", timeout: 15_000 });
    await row.click(); // in a multi-select pick, a click toggles the row's checkbox
    await wb.page.locator(".quick-input-widget", { hasText: "1 Selected" }).waitFor({ timeout: 5_000 });
    await wb.page.locator(".quick-input-widget input").press("Enter");
    await poll("big_orders.csv rewritten", () => (statSync(out).mtimeMs > before ? true : undefined), 60_000);
    const view = wb.webview();
    await poll("only load_big_orders ran", async () => ((await view.locator('.node.state-succeeded[data-id="load_big_orders"]').count()) === 1 && (await view.locator(".node.state-succeeded").count()) === 1 ? true : undefined), 30_000);
    assert.deepEqual(readFileSync(out, "utf8").trim().split(/\r?\n/).slice(1).map((r) => r.split(",")[0]).sort(), ["2", "3", "5"]);
  }));

  it("runs the quickstart: its output files hold the right rows", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const dir = join(workspace, "quickstart");
    const expected = quickstartExpectation(dir);
    await wb.openFile("quickstart.etl.yaml");
    const view = wb.webview();
    await poll("the preview to follow the quickstart", async () => ((await view.locator(".node").count()) === 8 ? true : undefined), 30_000);
    await wb.command("Agent ETL: Run Pipeline");
    const jsonl = join(dir, "out", "paid_orders.jsonl");
    const csv = join(dir, "out", "revenue_by_country.csv");
    await poll("all eight nodes succeeded", async () => ((await view.locator(".node.state-succeeded").count()) === 8 ? true : undefined), 90_000);
    const orders = readFileSync(jsonl, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { order_id: number });
    assert.deepEqual(orders.map((o) => o.order_id).sort(), expected.orderIds);
    const revenue = parse(readFileSync(csv, "utf8"), { columns: true }) as { country: string; orders: string }[];
    assert.deepEqual(Object.fromEntries(revenue.map((r) => [r.country, Number(r.orders)])), expected.ordersByCountry);
    await wb.screenshot("run-quickstart");
  }));

  it("reports a failed run: failed node, skipped downstream, the step in Problems", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    await wb.openFile("failing.etl.yaml");
    const view = wb.webview();
    await poll("the preview to follow failing.etl.yaml", async () => ((await view.locator(".node").count()) === 2 ? true : undefined), 30_000);
    await wb.command("Agent ETL: Run Pipeline");
    await poll("read_missing failed", async () => ((await view.locator('.node.state-failed[data-id="read_missing"]').count()) === 1 ? true : undefined), 60_000);
    await poll("write_copy skipped", async () => ((await view.locator('.node.state-skipped[data-id="write_copy"]').count()) === 1 ? true : undefined), 30_000);
    await wb.page.locator(".notifications-toasts", { hasText: "failed" }).first().waitFor({ timeout: 15_000 });
    const rows = await poll("the failed step in Problems", async () => {
      const r = await wb.problems();
      return r.some((l) => /Step read_missing failed in the last run/.test(l)) ? r : undefined;
    }, 30_000);
    const failedRow = rows.find((l) => /Step read_missing failed in the last run/.test(l)) ?? "";
    // Problems shows plain text: the runner's code-span backticks are not there.
    assert.ok(!failedRow.includes("`"), failedRow);
    await wb.screenshot("run-failed");
  }));

  it("exports to Airflow: asks the first time how the workers run it, writes their command and path, warns in the notification", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    // The failed run's notification (with its Resume button) must not catch the keys meant for Quick Open.
    await wb.command("Notifications: Clear All Notifications");
    await wb.openFile("orders.etl.yaml");
    await wb.command("Agent ETL: Export to Airflow");
    await wb.inputStep("Export to Airflow (1/4)", "node '/opt/agent etl/cli.js'");
    await wb.inputStep("Export to Airflow (2/4)", "/opt/airflow/repo/${relativeFile}");
    await wb.inputStep("Export to Airflow (3/4)", "airflow/dags");
    await (await wb.pickRow("Export to Airflow (4/4)", "Save in the workspace settings")).click();
    const py = join(workspace, "airflow", "dags", "e2e_orders.py");
    await poll("airflow/dags/e2e_orders.py", () => (existsSync(py) ? true : undefined), 60_000);
    const dag = readFileSync(py, "utf8");
    assert.match(dag, /^PIPELINE = "\/opt\/airflow\/repo\/orders\.etl\.yaml"$/m);
    assert.match(dag, /^CLI = \["node", "\/opt\/agent etl\/cli\.js"\]$/m);
    // Nothing of this machine: not the extension's own CLI, not the workspace's path.
    assert.ok(!dag.includes("dist/cli.js") && !dag.includes(workspace), "the DAG names no path of the exporting machine");
    await wb.page.locator('.tab.active[data-resource-name="e2e_orders.py"]').waitFor({ timeout: 15_000 });
    const shown = await poll("the export's notification", async () => (await wb.notifications()).find((n) => n.message.includes("Exported the Airflow DAG")), 15_000);
    assert.match(shown.message, /stages step outputs in the local folder .*cannot see each other's outputs/);
    const saved = JSON.parse(readFileSync(join(workspace, ".vscode", "settings.json"), "utf8")) as Record<string, unknown>;
    assert.equal(saved["agentEtl.airflow.cli"], "node '/opt/agent etl/cli.js'");
    assert.equal(saved["agentEtl.airflow.pipelinePath"], "/opt/airflow/repo/${relativeFile}");
    await wb.screenshot("export");

    // The answers were saved: the next export asks nothing.
    rmSync(py);
    await wb.command("Notifications: Clear All Notifications");
    await wb.openFile("orders.etl.yaml");
    await wb.command("Agent ETL: Export to Airflow");
    await poll("the second export", () => (existsSync(py) ? true : undefined), 60_000);
    assert.equal(await wb.page.locator(".quick-input-widget", { hasText: "Export to Airflow (1/4)" }).isVisible(), false);
    assert.match(readFileSync(py, "utf8"), /^CLI = \["node", "\/opt\/agent etl\/cli\.js"\]$/m);
  }));

  it("generates a pipeline from a local folder: pick datasets, save, open; it validates and runs", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const started = Date.now();
    const dir = join(workspace, "generated");
    mkdirSync(dir, { recursive: true });
    cpSync(join(QUICKSTART, "data"), join(dir, "src"), { recursive: true });
    const file = join(dir, "shop.etl.yaml");
    await wb.command("Notifications: Clear All Notifications");
    await wb.command("Agent ETL: Generate Pipeline from Source");
    await wb.inputStep("(1/4)", "generated/src");
    const customers = await wb.pickRow("(2/4)", "customers");
    await wb.page.locator(".quick-input-widget .monaco-list-row", { hasText: "orders" }).first().waitFor();
    await customers.click(); // both datasets start checked: a click unchecks customers
    await wb.page.locator(".quick-input-widget", { hasText: "1 Selected" }).waitFor({ timeout: 5_000 });
    await wb.screenshot("generate-pick");
    await wb.page.locator(".quick-input-widget input").press("Enter");
    await wb.inputStep("(3/4)", ""); // empty: the local folder ./out beside the file
    await wb.inputStep("(4/4)", file, "generated.etl.yaml"); // code-server's save dialog: a quick input holding a path
    await poll(`${file} written`, () => (existsSync(file) ? true : undefined), 60_000);
    await wb.page.locator('.tab.active[data-resource-name="shop.etl.yaml"]').waitFor({ timeout: 15_000 });
    await wb.page.locator(".notifications-toasts", { hasText: "Generated shop.etl.yaml" }).first().waitFor({ timeout: 15_000 });
    timings.generateUiMs = Date.now() - started;

    const text = readFileSync(file, "utf8");
    assert.match(text, /path: orders\.json/);
    assert.doesNotMatch(text, /customers/, "the unchecked dataset is left out");
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "dist", "cli.js"), ...args], { cwd: dir, encoding: "utf8" });
    const validated = cli("validate", file);
    assert.equal(validated.status, 0, `validate: ${validated.stdout}${validated.stderr}`);
    const ran = cli("run", file);
    assert.equal(ran.status, 0, `run: ${ran.stdout}${ran.stderr}`);
    const source = JSON.parse(readFileSync(join(dir, "src", "orders.json"), "utf8")) as Record<string, unknown>[];
    const loaded = readFileSync(join(dir, "out", "orders.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(loaded.map((r) => JSON.stringify(r)).sort(), source.map((r) => JSON.stringify(r)).sort(), "every row, value for value");
  }));

  it("generate: an unreachable source is an error that masks the password typed in its URL", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const password = `pw${Date.now().toString(36)}`;
    await wb.command("Notifications: Clear All Notifications");
    await wb.command("Agent ETL: Generate Pipeline from Source");
    await wb.inputStep("(1/4)", `postgres://etl:${password}@127.0.0.1:1/shop`); // port 1: nothing listens
    const toast = wb.page.locator(".notifications-toasts .notification-list-item-message", { hasText: "cannot read" }).first();
    await toast.waitFor({ timeout: 30_000 });
    const text = (await toast.textContent()) ?? "";
    assert.match(text, /cannot read postgres:\/\/etl:\*\*\*@127\.0\.0\.1:1\/shop: .*PostgreSQL/);
    assert.ok(!text.includes(password), `the password in the notification: ${text}`);
  }));

  it("analyzes the quickstart's sources into the output channel", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const started = Date.now();
    await wb.openFile("quickstart.etl.yaml");
    await wb.command("Agent ETL: Analyze Sources");
    // The output view shows the end of the channel: the sampled columns of the files.
    const view = wb.page.locator(".output-view .view-lines").first();
    await poll("the sampled columns in the output view", async () => {
      const shown = (await view.textContent())?.replace(/\u00a0/g, " ") ?? "";
      return /order_id\s+integer/.test(shown) && /ordered_at\s+date/.test(shown) ? true : undefined;
    }, 60_000);
    await wb.screenshot("analyze");
    // The whole report, from the channel's log file: every column of both files, with its type.
    const log = await poll("the analysis in the channel's log", () => {
      const f = findFile(server.userDataDir, "Agent ETL.log");
      const t = f ? readFileSync(f, "utf8") : "";
      return /step extract_customers: customers\.csv/.test(t) && /ordered_at\s+date/.test(t) ? t : undefined;
    }, 15_000);
    for (const column of [/id\s+integer/, /signup_date\s+date/, /customer_id\s+integer/, /amount\s+number/, /status\s+string/]) assert.match(log, column);
    timings.analyzeMs = Date.now() - started;
  }));

  it("refreshes the source cache and says which connections it refreshed", { timeout: TEST_TIMEOUT }, onFailureShot(async () => {
    const started = Date.now();
    await wb.command("Notifications: Clear All Notifications");
    await wb.openFile("quickstart.etl.yaml");
    mkdirSync(join(workspace, "quickstart", "out"), { recursive: true }); // the load folder, there once the quickstart ran
    await wb.command("Agent ETL: Refresh Source Cache");
    // Its result, not the progress toast ("Refresh Source Cache: quickstart.etl.yaml…").
    const toast = wb.page.locator(".notifications-toasts .notification-list-item-message", { hasText: /Refresh Source Cache: (refreshed|could not|the pipeline)/ }).first();
    await toast.waitFor({ timeout: 30_000 });
    assert.equal((await toast.textContent())?.trim(), "Refresh Source Cache: refreshed data, out.");
    timings.refreshMs = Date.now() - started;
  }));
});
