/**
 * The DAG preview at its default size in a real VS Code (code-server in Chromium), read without
 * screenshots: the label's font size as the webview computes it, every node's box against the
 * pane, the view's transform before and after a drag, keys and the wheel, and the ghost node of a
 * missing dependency.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, FrameLocator } from "playwright-core";
import { openWorkbench, poll, startCodeServer, type CodeServer } from "../support/codeServer";
import { FIXTURES } from "./paths";
import { packageVsix } from "./vsix";
import { Workbench } from "./workbench";

const LONG_ID = "read_customers_with_a_rather_long_identifier_for_the_label";
/** Steps the pipeline below gets a diagnostic on, and nothing else does. */
const WITH_PROBLEMS = ["bad_filter", "joined"];

/** Twenty steps: two extracts, a lattice of transforms, a join that also names a missing step. */
function twentySteps(): string {
  const step = (id: string, deps: string[], body: string): string => `  - id: ${id}\n${deps.length ? `    depends_on: [${deps.join(", ")}]\n` : ""}${body}`;
  const extract = "    extract:\n      connection: files\n      path: orders.csv";
  const limit = "    transform:\n      - limit: 10";
  const steps = [step("read_orders", [], extract), step(LONG_ID, [], extract)];
  for (let i = 1; i <= 15; i++) steps.push(step(`clean_${i}`, [i <= 3 ? "read_orders" : `clean_${i - 3}`], limit));
  steps.push(step("bad_filter", ["read_orders"], '    transform:\n      - filter: "amount >"'));
  steps.push(step("joined", ["clean_14", "clean_15", "not_there"], limit));
  steps.push(step("save", ["joined"], "    load:\n      connection: out\n      path: joined.csv\n      format: csv"));
  return `version: 1\nname: twenty\nconnections:\n  files:\n    type: file\n    root: data\n  out:\n    type: file\n    root: out\nsteps:\n${steps.join("\n")}\n`;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const inside = (b: Box, pane: Box): boolean => b.x >= pane.x - 0.5 && b.y >= pane.y - 0.5 && b.x + b.width <= pane.x + pane.width + 0.5 && b.y + b.height <= pane.y + pane.height + 0.5;

/** The view's transform on the one moving layer: scale and translation. */
async function transform(view: FrameLocator): Promise<{ k: number; x: number; y: number }> {
  const m = await view.locator("#world").evaluate((el) => getComputedStyle(el).transform);
  const [a, , , , e, f] = (/matrix\(([^)]+)\)/.exec(m)?.[1] ?? "1, 0, 0, 1, 0, 0").split(",").map(Number);
  return { k: a ?? NaN, x: e ?? NaN, y: f ?? NaN };
}

describe("DAG preview in code-server: readable at its default size", { timeout: 8 * 60_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let workspace: string;

  before(async () => {
    const vsix = packageVsix();
    workspace = mkdtempSync(join(tmpdir(), "agent-etl-e2e-dag-"));
    cpSync(FIXTURES, workspace, { recursive: true });
    writeFileSync(join(workspace, "twenty.etl.yaml"), twentySteps());
    server = await startCodeServer({ workspace, vsix });
    ({ browser, page: wb } = await openWorkbench(server).then(({ browser, page }) => ({ browser, page: new Workbench(page) })));
    await wb.openFile("twenty.etl.yaml");
    await wb.command("Agent ETL: Preview DAG");
    await poll("twenty nodes in the preview", async () => ((await wb.webview().locator(".node").count()) === 20 ? true : undefined), 90_000);
    // The first view is placed once the layout is drawn: wait for the transform to settle.
    await poll("the view placed", async () => ((await transform(wb.webview())).k > 0 ? true : undefined), 10_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("labels render at 12 px or more and no step id is cut", async () => {
    const view = wb.webview();
    const { k } = await transform(view);
    const label = view.locator('.node[data-id="read_orders"] .label');
    const fontPx = Number.parseFloat(await label.evaluate((el) => getComputedStyle(el).fontSize));
    assert.ok(fontPx >= 12, `computed font-size ${fontPx}px`);
    assert.ok(fontPx * k >= 12, `on screen: ${fontPx}px × scale ${k} = ${(fontPx * k).toFixed(1)}px`);
    // The rendered glyphs agree: the label's box is at least 12 px tall on the page.
    assert.ok(((await label.boundingBox())?.height ?? 0) >= 12);
    const long = view.locator(`.node[data-id="${LONG_ID}"]`);
    assert.equal(await long.locator(".label").textContent(), LONG_ID);
    const [text, box] = await Promise.all([long.locator(".label").boundingBox(), long.locator(".box").boundingBox()]);
    assert.ok(text && box && text.x + text.width <= box.x + box.width, `the id (${text?.width}px) fits its node (${box?.width}px)`);
  });

  it("lays out along the pane's longer side, and every node is on screen or reachable by dragging", async () => {
    const view = wb.webview();
    const pane = await view.locator("#canvas").boundingBox();
    assert.ok(pane);
    const [up, down] = await Promise.all([view.locator('.node[data-id="clean_1"] .box').boundingBox(), view.locator('.node[data-id="clean_4"] .box').boundingBox()]);
    assert.ok(up && down);
    if (pane.height > pane.width * 1.15) assert.ok(down.y > up.y + up.height, `a ${pane.width}×${pane.height} pane lays out top to bottom`);
    else if (pane.width > pane.height * 1.15) assert.ok(down.x > up.x + up.width, `a ${pane.width}×${pane.height} pane lays out left to right`);
    const ids = await view.locator(".node").evaluateAll((els) => els.map((e) => e.getAttribute("data-id") ?? ""));
    let dragged = 0;
    for (const id of ids) {
      const node = view.locator(`.node[data-id="${id}"] .box`);
      const b = await node.boundingBox();
      assert.ok(b, `${id} is drawn`);
      if (inside(b, pane)) continue;
      // Drag in gestures that stay inside the pane, each at most a third of it, towards the node.
      const cx = pane.x + pane.width / 2;
      const cy = pane.y + pane.height / 2;
      let dx = cx - (b.x + b.width / 2);
      let dy = cy - (b.y + b.height / 2);
      while (Math.abs(dx) > 1 || Math.abs(dy) > 1) {
        const sx = Math.max(-pane.width / 3, Math.min(pane.width / 3, dx));
        const sy = Math.max(-pane.height / 3, Math.min(pane.height / 3, dy));
        await wb.page.mouse.move(cx - sx / 2, cy - sy / 2);
        await wb.page.mouse.down();
        await wb.page.mouse.move(cx + sx / 2, cy + sy / 2, { steps: 5 });
        await wb.page.mouse.up();
        dx -= sx;
        dy -= sy;
      }
      dragged++;
      const after = await poll(`${id} dragged into view`, async () => {
        const a = await node.boundingBox();
        return a && inside(a, pane) ? a : undefined;
      }, 5_000).catch(async (err: unknown) => {
        await wb.screenshot("dag-drag-failure");
        throw new Error(`${String(err)}: pane ${JSON.stringify(pane)}, node was ${JSON.stringify(b)}, now ${JSON.stringify(await node.boundingBox())}; view ${JSON.stringify(await transform(view))}`);
      });
      assert.ok(inside(after, pane));
    }
    console.log(`pane ${Math.round(pane.width)}×${Math.round(pane.height)} px; ${ids.length - dragged} nodes on screen at first, ${dragged} brought in by dragging`);
  });

  it("pans with arrow keys and the wheel, zooms with + and ctrl+wheel, fits with 0", async () => {
    const view = wb.webview();
    const canvas = view.locator("#canvas");
    await canvas.focus();
    const t0 = await transform(view);
    await canvas.press("ArrowLeft");
    const t1 = await poll("the view to move right", async () => {
      const t = await transform(view);
      return t.x !== t0.x ? t : undefined;
    }, 5_000);
    assert.equal(Math.round(t1.x - t0.x), 80, "ArrowLeft shows what is left: the graph moves 80 px right");
    assert.equal(t1.y, t0.y);
    await canvas.press("ArrowRight");
    await poll("back where it was", async () => (Math.round((await transform(view)).x) === Math.round(t0.x) ? true : undefined), 5_000);

    const pane = await canvas.boundingBox();
    assert.ok(pane);
    await wb.page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await wb.page.mouse.wheel(0, 60);
    await poll("the wheel to pan", async () => (Math.round(t0.y - (await transform(view)).y) === 60 ? true : undefined), 5_000);
    assert.equal((await transform(view)).k, t0.k, "a plain wheel pans, it does not zoom");

    await canvas.press("+");
    await poll("+ to zoom in", async () => ((await transform(view)).k > t0.k * 1.1 ? true : undefined), 5_000);
    await wb.page.keyboard.down("Control");
    await wb.page.mouse.wheel(0, 300);
    await wb.page.keyboard.up("Control");
    await poll("ctrl+wheel to zoom out", async () => ((await transform(view)).k < t0.k ? true : undefined), 5_000);

    await canvas.press("0");
    await poll("0 to fit every node in the pane", async () => {
      const boxes = await view.locator(".node .box").evaluateAll((els) => els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }));
      const p = await canvas.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      });
      return boxes.length === 20 && boxes.every((b) => inside(b, p)) ? true : undefined;
    }, 5_000);
    await canvas.press("1");
    await poll("1 to show it at 100%", async () => (Math.abs((await transform(view)).k - 1) < 1e-3 ? true : undefined), 5_000);
    assert.match((await view.locator("#canvas").getAttribute("aria-describedby")) ?? "", /hint/);
    assert.match((await view.locator("#hint").textContent()) ?? "", /Arrow keys pan/);
  });

  it("marks every step with a problem, and draws a missing dependency to a ghost node", async () => {
    const view = wb.webview();
    const marked = await view.locator(".node.has-error").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    assert.deepEqual(marked.sort(), WITH_PROBLEMS);
    for (const id of WITH_PROBLEMS) assert.equal(await view.locator(`.node[data-id="${id}"] .badge.error`).count(), 1, `${id} has a mark`);
    assert.equal(await view.locator(".badge").count(), WITH_PROBLEMS.length);
    const ghost = view.locator('.ghost[data-missing="not_there"]');
    assert.equal(await ghost.count(), 1);
    assert.equal(await ghost.locator(".label").textContent(), "not_there");
    assert.equal(await view.locator('.node[data-id="not_there"]').count(), 0, "a ghost is not a step");
    const edge = view.locator('.edge.missing[data-missing="not_there"][data-to="joined"]');
    assert.equal(await edge.count(), 1);
    assert.match((await edge.evaluate((el) => getComputedStyle(el).strokeDasharray)) ?? "", /\d/, "dashed");
    // Fix the pipeline: the ghost and both marks of `joined` go.
    await wb.focusEditor();
    await wb.page.keyboard.press("Control+H");
    await wb.page.locator(".find-widget textarea").first().fill(", not_there]");
    await wb.page.locator(".find-widget .replace-part textarea").fill("]");
    await wb.page.keyboard.press("Control+Alt+Enter");
    await poll("the ghost to go", async () => ((await view.locator(".ghost").count()) === 0 ? true : undefined), 20_000);
    assert.deepEqual(await view.locator(".node.has-error").evaluateAll((els) => els.map((e) => e.getAttribute("data-id"))), ["bad_filter"]);
  });

  it("lays the graph out again when the pane turns wider than tall, and back", async () => {
    const view = wb.webview();
    const order = async (): Promise<"across" | "down" | "other"> => {
      const [a, b] = await Promise.all([view.locator('.node[data-id="clean_1"] .box').boundingBox(), view.locator('.node[data-id="clean_4"] .box').boundingBox()]);
      if (!a || !b) return "other";
      return b.x > a.x + a.width ? "across" : b.y > a.y + a.height ? "down" : "other";
    };
    assert.equal(await order(), "down");
    try {
      await wb.page.setViewportSize({ width: 2600, height: 700 });
      await poll("a left-to-right layout in a wide pane", async () => ((await order()) === "across" ? true : undefined), 20_000);
      const pane = await view.locator("#canvas").boundingBox();
      assert.ok(pane && pane.width > pane.height * 1.15, `pane ${pane?.width}×${pane?.height}`);
    } finally {
      await wb.page.setViewportSize({ width: 1600, height: 1000 });
    }
    await poll("top to bottom again", async () => ((await order()) === "down" ? true : undefined), 20_000);
  });
});
