/** Driving the VS Code workbench (code-server in Chromium) the way a user does: keys, palette, clicks. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FrameLocator, Locator, Page } from "playwright-core";
import { poll } from "../support/codeServer";
import { RESULTS } from "./paths";

export class Workbench {
  constructor(readonly page: Page) {}

  /** Runs a command from the palette by its title ("Agent ETL: Preview DAG"). */
  async command(title: string): Promise<void> {
    const input = this.page.locator(".quick-input-widget input");
    // F1 pressed while a closing quick input still has the focus can be swallowed (seen on a loaded
    // machine: the palette's input stayed hidden for 30 s), and a palette that showed can close
    // again before it is typed in: press it again until the title is in its input.
    await poll(`the command palette for ${JSON.stringify(title)}`, async () => {
      await this.page.keyboard.press("Escape");
      await this.page.keyboard.press("F1");
      if (!(await input.waitFor({ state: "visible", timeout: 5_000 }).then(() => true, () => false))) return undefined;
      return (await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, () => false)) ? true : undefined;
    }, 90_000);
    const row = this.page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
    await row.waitFor({ state: "visible", timeout: 15_000 });
    await input.press("Enter");
  }

  /**
   * Answers the quick input whose title contains `title` (an input box, or the simple save dialog) with
   * `value`. The save dialog fills in its proposed path after it shows: pass its end as `proposed` to
   * wait for it, or it would overwrite what was typed.
   */
  async inputStep(title: string, value: string, proposed?: string): Promise<void> {
    const widget = this.page.locator(".quick-input-widget", { hasText: title });
    await widget.waitFor({ state: "visible", timeout: 30_000 });
    const input = widget.locator("input").first();
    if (proposed) await poll(`the proposed ${proposed}`, async () => ((await input.inputValue()).endsWith(proposed) ? true : undefined), 10_000);
    await input.fill(value);
    await poll(`${JSON.stringify(value)} in the input`, async () => ((await input.inputValue()) === value ? true : undefined), 5_000);
    // The save dialog ignores Enter while it is still listing the folder of the path typed: press again
    // until it accepts (an input box accepts the first one).
    await poll(`the ${title} input to accept ${JSON.stringify(value)}`, async () => {
      if (!(await widget.isVisible())) return true;
      await input.press("Enter", { timeout: 2_000 }).catch(() => undefined);
      await widget.waitFor({ state: "hidden", timeout: 3_000 }).catch(() => undefined);
      return (await widget.isVisible()) ? undefined : true;
    }, 30_000);
  }

  /** The row labelled `label` of the quick pick whose title contains `title`, once shown. */
  async pickRow(title: string, label: string): Promise<Locator> {
    const widget = this.page.locator(".quick-input-widget", { hasText: title });
    await widget.waitFor({ state: "visible", timeout: 60_000 });
    const row = widget.locator(".monaco-list-row", { hasText: label }).first();
    await row.waitFor({ state: "visible", timeout: 15_000 });
    return row;
  }

  /** Opens a workspace file with Quick Open and waits for its editor. */
  async openFile(name: string): Promise<void> {
    // Rows are re-rendered while Quick Open filters: a click can land on a row that meanwhile shows
    // another file ("quickstart_duckdb.etl.yaml" for "quickstart.etl.yaml"). Then ask again.
    const tab = this.page.locator(`.tab.active[data-resource-name="${name}"]`).first();
    await poll(`${name} to open from Quick Open`, async () => {
      await this.quickOpen(name);
      return (await tab.waitFor({ timeout: 10_000 }).then(() => true, () => false)) ? true : undefined;
    }, 90_000);
    // The window title names the active editor: commands will act on this file.
    await poll(`${name} to be the active editor`, async () => ((await this.page.title()).startsWith(name) ? true : undefined), 10_000);
    await this.page.locator(".monaco-editor .view-lines").first().waitFor();
  }

  private async quickOpen(name: string): Promise<void> {
    // Into the first editor group, whichever group (the preview's, say) had the focus.
    await this.focusEditor();
    await this.page.keyboard.press("Control+P");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(name);
    // Click the row named exactly so (a fuzzy match can rank first): Enter would open whichever row
    // has the focus, which can still be a stale one while Quick Open is filtering.
    const exact = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
    const row = this.page.locator(".quick-input-widget .monaco-list-row").filter({ has: this.page.locator(".label-name", { hasText: exact }) }).first();
    // The first search of a session indexes the workspace: on a loaded machine that took > 15 s.
    await row.waitFor({ timeout: 45_000 });
    await row.click();
  }

  /** Puts the cursor at a 1-based line and column with Go to Line. */
  async gotoLine(line: number, column: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press("Control+G");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}:${column}`);
    await input.press("Enter");
    await poll(`the cursor at ${line}:${column}`, async () => {
      const c = await this.cursor();
      return c.line === line && c.column === column ? true : undefined;
    }, 5_000);
  }

  async focusEditor(): Promise<void> {
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press("Control+1");
  }

  /** The cursor as the status bar shows it. */
  async cursor(): Promise<{ line: number; column: number }> {
    const item = this.page.locator('[id="status.editor.selection"]');
    // The status bar shows the cursor only while a text editor has focus; after a click in a webview
    // (the DAG preview) the focus may have stayed there: give it back to the text editor (the first
    // group; the preview opens beside it) to read it.
    if (!(await item.isVisible())) {
      // After a click in a webview the keyboard focus can stay inside its frame, where the
      // workbench's keys (the command palette) never arrive: click the first group's active tab.
      await this.page.locator(".editor-group-container").first().locator(".tab.active").first().click({ timeout: 5_000 }).catch(() => undefined);
      if (!(await item.isVisible())) await this.command("View: Focus First Editor Group");
    }
    const text = (await item.textContent({ timeout: 5_000 })) ?? "";
    const m = /Ln (\d+), Col (\d+)/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]) } : { line: -1, column: -1 };
  }

  /** The rows of the Problems panel (their accessible labels: message, code, position). */
  async problems(): Promise<string[]> {
    const panel = this.page.locator(".markers-panel");
    if (!(await panel.isVisible())) await this.page.keyboard.press("Control+Shift+M");
    await panel.waitFor({ state: "visible" });
    const rows = this.page.locator(".markers-panel .monaco-list-row");
    return (await rows.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? e.textContent ?? ""))).filter(Boolean);
  }

  /** The Problems panel's problems under each file (in the tree, files are level 1, problems level 2). */
  async problemsByFile(): Promise<Record<string, string[]>> {
    await this.problems();
    const rows = await this.page.locator(".markers-panel .monaco-list-row").evaluateAll((els) => els.map((e) => ({
      level: e.getAttribute("aria-level"),
      label: e.getAttribute("aria-label") ?? "",
      name: e.querySelector(".label-name")?.textContent ?? "",
    })));
    const byFile: Record<string, string[]> = {};
    let file = "";
    for (const row of rows) {
      if (row.level === "1") byFile[(file = row.name)] = [];
      else byFile[file]?.push(row.label);
    }
    return byFile;
  }

  /** The text of each notification toast on screen, with the titles of its buttons. */
  async notifications(): Promise<{ message: string; actions: string[] }[]> {
    return this.page.locator(".notifications-toasts .notification-list-item").evaluateAll((els) => els.map((e) => ({
      message: (e.querySelector(".notification-list-item-message")?.textContent ?? "").trim(),
      actions: [...e.querySelectorAll(".notification-list-item-buttons-container .monaco-button")].map((b) => (b.textContent ?? "").trim()),
    })));
  }

  /** The labels the suggest widget offers right now (after Ctrl+Space). */
  async suggestions(): Promise<string[]> {
    await this.page.keyboard.press("Control+Space");
    const rows = this.page.locator(".suggest-widget.visible .monaco-list-row");
    await rows.first().waitFor({ state: "visible", timeout: 15_000 });
    return rows.evaluateAll((els) => els.map((e) => (e.querySelector(".label-name")?.textContent ?? e.getAttribute("aria-label") ?? "").trim()));
  }

  /**
   * Types `prefix` at the cursor and returns every suggestion offered (all must fit on screen), then
   * undoes the typing so the file is clean again.
   */
  async suggestionsWhileTyping(prefix: string): Promise<string[]> {
    await this.page.keyboard.type(prefix);
    const labels = await this.suggestions();
    const total = await this.page.locator(".suggest-widget.visible .monaco-list-row").first().getAttribute("aria-setsize");
    if (Number(total) !== labels.length) throw new Error(`${total} suggestions, ${labels.length} on screen: type a longer prefix than "${prefix}"`);
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press("Control+Z");
    await this.page.locator(".tab.active.dirty").waitFor({ state: "detached", timeout: 5_000 });
    return labels;
  }

  /** The DAG preview's document (webviews are an iframe holding an iframe). */
  webview(): FrameLocator {
    return this.page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(RESULTS, { recursive: true });
    const path = join(RESULTS, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}
