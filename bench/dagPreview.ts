/**
 * The DAG preview in Chromium (Debian's, driven by playwright-core): the webview's own page and
 * bundle (dist/preview.js, the panel's CSP), a pane of the size (626 px wide), then frames
 * per second while a 500-step graph is panned one wheel event per frame, and while it is zoomed.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";
import type { GraphView } from "../client/src/preview/messages";
import { previewHtml } from "../client/src/preview/page";
import { CHROMIUM, CHROMIUM_ARGS } from "../test/support/codeServer";

const PANE = { width: 626, height: 900 };

/** A fan-out tree with some joins: the shape of the e2e test's 500-step pipeline. */
export function benchGraph(n: number): GraphView {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `step_${i}`, kind: (["extract", "transform", "load"] as const)[i % 3] ?? null, connection: i % 3 === 1 ? null : "warehouse", description: null, problems: [] }));
  const edges = nodes.slice(1).flatMap((node, i) => (i % 5 === 0 && i > 10 ? [{ from: `step_${Math.floor(i / 2)}`, to: node.id }, { from: `step_${i - 7}`, to: node.id }] : [{ from: `step_${Math.floor(i / 2)}`, to: node.id }]));
  return { uri: `file:///bench-${n}.etl.yaml`, version: 1, name: "bench", nodes, edges, cycles: [], missing: [], errorCount: 0 };
}

/** Sends a graph as the extension does and waits for the webview's `rendered` answer. */
async function show(page: Page, graph: GraphView): Promise<number> {
  return page.evaluate(new Function("graph", `return new Promise((resolve) => {
    window.__rendered = resolve;
    window.postMessage({ type: "graph", graph }, "*");
  });`) as (g: GraphView) => Promise<number>, graph);
}

/** Frames per second over `frames` frames, one wheel event (ctrl: zoom) dispatched per frame. */
async function fps(page: Page, frames: number, zoom: boolean): Promise<{ fps: number; p95Ms: number }> {
  // Source text, not a function: tsx would carry its helpers into the page.
  const measure = new Function("args", `return new Promise((resolve) => {
    const canvas = document.getElementById("canvas");
    const times = [];
    let i = 0;
    const step = (t) => {
      times.push(t);
      const back = Math.floor(i / 40) % 2 === 1 ? -1 : 1;
      canvas.dispatchEvent(new WheelEvent("wheel", args.zoom
        ? { deltaY: 40 * back, ctrlKey: true, clientX: 300, clientY: 400, bubbles: true, cancelable: true }
        : { deltaX: 24 * back, deltaY: 12 * back, bubbles: true, cancelable: true }));
      if (++i <= args.frames) requestAnimationFrame(step);
      else {
        const gaps = times.slice(1).map((x, j) => x - times[j]).sort((a, b) => a - b);
        resolve({ fps: 1000 * gaps.length / (times[times.length - 1] - times[0]), p95Ms: gaps[Math.floor(gaps.length * 0.95)] });
      }
    };
    requestAnimationFrame(step);
  });`) as (a: { frames: number; zoom: boolean }) => Promise<{ fps: number; p95Ms: number }>;
  return page.evaluate(measure, { frames, zoom });
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-bench-preview-"));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const script = pathToFileURL(join(__dirname, "..", "dist", "preview.js")).href;
    writeFileSync(join(dir, "preview.html"), previewHtml({ cspSource: "file:", nonce: randomBytes(16).toString("base64"), script }));
    const page = await browser.newPage({ viewport: PANE });
    await page.addInitScript(`window.acquireVsCodeApi = () => ({ postMessage: (m) => { if (m.type === "rendered" && window.__rendered) window.__rendered(m.layoutMs); } });`);
    await page.goto(pathToFileURL(join(dir, "preview.html")).href);
    const rows: Record<string, string | number>[] = [];
    for (const n of [20, 500]) {
      const layoutMs = await show(page, benchGraph(n));
      await page.waitForTimeout(500); // the first frames after a layout rasterise the layer
      const scale = await page.locator("#zoom").textContent();
      if (process.env.BENCH_SHOTS) await page.screenshot({ path: join(process.env.BENCH_SHOTS, `dag-preview-${n}-open.png`) });
      const pan = await fps(page, 180, false);
      const zoom = await fps(page, 120, true);
      if (process.env.BENCH_SHOTS) await page.screenshot({ path: join(process.env.BENCH_SHOTS, `dag-preview-${n}.png`) });
      rows.push({ steps: n, layoutMs, openedAt: scale ?? "", panFps: Math.round(pan.fps), panP95Ms: Math.round(pan.p95Ms), zoomFps: Math.round(zoom.fps), zoomP95Ms: Math.round(zoom.p95Ms) });
    }
    console.log(`pane ${PANE.width}×${PANE.height} px, headless Chromium (${browser.version()}), --disable-gpu`);
    console.table(rows);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
