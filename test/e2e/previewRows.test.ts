/**
 * "Preview rows" in a real VS Code (code-server in Chromium) with the packaged .vsix: the command
 * runs the real `agent-etl preview … --format json` on pipelines in the workspace (local files
 * through transforms) and the panel shows the rows a run would compute, escaped; NULL, long values,
 * Refresh, one panel per step, errors with their fix. Needs the CLI's `preview` command
 * (PREVIEW_CONTRACT.md) in dist/cli.js.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import type { Browser, FrameLocator } from "playwright-core";
import { openWorkbench, poll, startCodeServer, type CodeServer } from "../support/codeServer";
import { FIXTURES } from "./paths";
import { packageVsix } from "./vsix";
import { Workbench } from "./workbench";

const TEST_TIMEOUT = 120_000;
const HOSTILE_KEY = `<img src=x onerror="document.body.dataset.pwned=1">`;
const HOSTILE_VALUE = `</td><script>document.body.dataset.pwned=2</script>`;
const LONG_VALUE = `${"long value ".repeat(60)}<end>`;

/** A pipeline whose data holds hostile column names and values, nulls and a long text. */
function writeOddRows(workspace: string, rows: Record<string, unknown>[]): void {
  writeFileSync(join(workspace, "data", "odd_rows.json"), JSON.stringify(rows));
}

const oddRow = (i: number): Record<string, unknown> => ({ n: i, [HOSTILE_KEY]: HOSTILE_VALUE, note: i % 2 === 0 ? null : `note ${i}`, long: LONG_VALUE });

const ODD_PIPELINE = `version: 1
name: e2e_rows
connections:
  files:
    type: file
    root: data
steps:
  - id: read_odd
    extract:
      connection: files
      path: odd_rows.json
  - id: odd_rows
    depends_on: [read_odd]
    transform:
      - filter: n > 0
`;

describe("Preview rows in code-server", { timeout: 10 * 60_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let workspace: string;

  before(async () => {
    const vsix = packageVsix();
    workspace = mkdtempSync(join(tmpdir(), "agent-etl-e2e-rows-"));
    cpSync(FIXTURES, workspace, { recursive: true });
    writeFileSync(join(workspace, "odd.etl.yaml"), ODD_PIPELINE);
    writeOddRows(workspace, [0, 1, 2, 3].map(oddRow));
    server = await startCodeServer({ workspace, vsix });
    ({ browser, page: wb } = await openWorkbench(server).then(({ browser, page }) => ({ browser, page: new Workbench(page) })));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  /** The visible rows panel (webviews are an iframe holding an iframe; hidden panels keep theirs). */
  const panel = (): FrameLocator => wb.page.frameLocator("iframe.webview.ready:visible").frameLocator("#active-frame");

  async function previewFromPalette(file: string, step: string): Promise<FrameLocator> {
    await wb.openFile(file);
    await wb.command("Agent ETL: Preview Rows…");
    const row = await wb.pickRow("Preview Rows:", step);
    await row.click();
    return shown(step);
  }

  /** The visible panel once it is `step`'s and shows its rows or its error. */
  async function shown(step: string): Promise<FrameLocator> {
    // The panel of the step picked: until it shows, the visible one can still be another step's.
    await wb.page.locator(".tab.active", { hasText: `Rows: ${step}` }).first().waitFor({ timeout: 15_000 });
    const view = panel();
    await poll(`the rows of ${step}`, async () => {
      const title = await view.locator(".toolbar .title").getAttribute("title", { timeout: 2_000 }).catch(() => null);
      if (!title?.endsWith(` › ${step}`)) return undefined;
      return (await view.locator('body[data-state="result"], body[data-state="error"]').count()) === 1 ? true : undefined;
    }, 90_000);
    return view;
  }

  const columnNames = (view: FrameLocator) => view.locator("thead th .name").allTextContents();
  const bodyRows = (view: FrameLocator) => view.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent ?? "")));

  it("previews a transform's rows from the palette, step picked from the pipeline's steps", { timeout: TEST_TIMEOUT }, async () => {
    const view = await previewFromPalette("orders.etl.yaml", "big_orders");
    assert.equal(await view.locator("body").getAttribute("data-state"), "result", (await view.locator("body").textContent()) ?? "");
    assert.deepEqual(await columnNames(view), ["id", "customer", "amount"]);
    assert.equal(await view.locator("thead th", { hasText: "amount" }).locator(".type").textContent(), "integer", "the cast's type in the header");
    // What the step computes, from its input: amount cast to integer, kept above 100.
    const input = parse(readFileSync(join(workspace, "data", "orders.csv"), "utf8"), { columns: true }) as { id: string; customer: string; amount: string }[];
    const expected = input.filter((r) => Number.parseInt(r.amount, 10) > 100).map((r) => [r.id, r.customer, String(Number.parseInt(r.amount, 10))]);
    assert.deepEqual(await bodyRows(view), expected);
    await wb.page.locator(".tab", { hasText: "Rows: big_orders" }).first().waitFor({ timeout: 5_000 });
    await wb.screenshot("preview-rows");
  });

  it("escapes hostile column names and values, shows NULL apart, cuts long values into a tooltip", { timeout: TEST_TIMEOUT }, async () => {
    const view = await previewFromPalette("odd.etl.yaml", "odd_rows");
    assert.deepEqual(await columnNames(view), ["n", HOSTILE_KEY, "note", "long"]);
    assert.equal(await view.locator("img").count(), 0, "a column name stays text");
    // VS Code injects its own script into every webview beside ours: count only one made from the data.
    assert.equal(await view.locator("script", { hasText: "pwned" }).count(), 0, "a value stays text, never a script");
    assert.equal(await view.locator("body").getAttribute("data-pwned"), null);
    const rows = await bodyRows(view);
    assert.deepEqual(rows.map((r) => r[0]), ["1", "2", "3"]);
    assert.ok(rows.every((r) => r[1] === HOSTILE_VALUE), JSON.stringify(rows));
    const notes = view.locator("tbody td:nth-child(4)");
    assert.deepEqual(await notes.evaluateAll((tds) => tds.map((td) => [td.className, td.textContent])), [["", "note 1"], ["null", "NULL"], ["", "note 3"]]);
    const long = view.locator("tbody tr").first().locator("td").nth(4);
    assert.equal(await long.getAttribute("title"), LONG_VALUE);
    assert.ok(((await long.textContent()) ?? "").length < LONG_VALUE.length);
    await wb.screenshot("preview-rows-hostile");
  });

  it("refreshes in place: new data shows after Refresh, and asking again reuses the step's panel", { timeout: TEST_TIMEOUT }, async () => {
    writeOddRows(workspace, [0, 1, 2, 3, 4, 5].map(oddRow));
    const view = await shown("odd_rows");
    await view.locator("#refresh").click();
    await poll("five rows after Refresh", async () => ((await view.locator("tbody tr").count()) === 5 ? true : undefined), 60_000);
    await previewFromPalette("odd.etl.yaml", "odd_rows");
    assert.equal(await wb.page.locator(".tab", { hasText: "Rows: odd_rows" }).count(), 1, "one panel per step");
    assert.equal(await wb.page.locator(".tab", { hasText: "Rows: big_orders" }).count(), 1, "the other step keeps its own");
  });

  it("shows a failing step's error and its fix in the panel", { timeout: TEST_TIMEOUT }, async () => {
    const view = await previewFromPalette("failing.etl.yaml", "read_missing");
    assert.equal(await view.locator("body").getAttribute("data-state"), "error");
    assert.match((await view.locator(".error .message").textContent()) ?? "", /no_such_file\.csv/);
    assert.ok((await view.locator(".error .fix strong", { hasText: "Fix:" }).count()) === 1, "the fix is shown");
    await wb.screenshot("preview-rows-error");
  });

  it("opens from the step's code lens", { timeout: TEST_TIMEOUT }, async () => {
    await wb.command("View: Close All Editors");
    await wb.openFile("orders.etl.yaml");
    // One "Preview rows" lens per step, in file order: big_orders is the second step.
    const lens = wb.page.locator(".codelens-decoration a", { hasText: /preview rows/i }).nth(1);
    await lens.waitFor({ timeout: 30_000 });
    await lens.click();
    await wb.page.locator(".tab", { hasText: "Rows: big_orders" }).first().waitFor({ timeout: 15_000 });
    const view = panel();
    await poll("the lens's rows", async () => ((await view.locator('body[data-state="result"]').count()) === 1 ? true : undefined), 90_000);
    assert.deepEqual(await columnNames(view), ["id", "customer", "amount"]);
  });
});
