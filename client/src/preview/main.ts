/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The DAG preview webview: lays out the graph the extension sends (elkjs), draws it as SVG, and
 * handles zoom, pan, keyboard and clicks. Talks to the extension by messages only.
 */
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH, type Layout } from "./layout";
import type { FromWebview, GraphView, NodeStatus, RunView, ToWebview } from "./messages";
import { directionOf, nextNode } from "./navigate";
import { formatRows, graphMarkup, nodeLabel, standaloneSvg } from "./render";
import { GRAPH_CSS, PAGE_CSS, resolveCssVariables } from "./styles";
import { ensureVisible, fit, toCssTransform, zoomAt, type View } from "./viewport";

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };
const host = acquireVsCodeApi();
const post = (m: FromWebview): void => host.postMessage(m);

const $ = <T extends Element>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`preview markup lacks ${sel}`);
  return el;
};
const canvas = $<HTMLDivElement>("#canvas");
const world = $<HTMLDivElement>("#world");
const graphSvg = $<SVGSVGElement>("#graph");
const content = $<SVGGElement>("#content");
const messageEl = $<HTMLDivElement>("#message");
const runEl = $<HTMLDivElement>("#run");
const titleEl = $<HTMLSpanElement>("#title");

const sheet = new CSSStyleSheet();
sheet.replaceSync(PAGE_CSS + GRAPH_CSS);
document.adoptedStyleSheets = [sheet];

let graph: GraphView | undefined;
let layout: Layout | undefined;
let run: RunView | null = null;
let highlighted: string | null = null;
let view: View = { x: 0, y: 0, k: 1 };
let fitted = false;
let layoutSeq = 0;
const nodeEls = new Map<string, SVGGElement>();
const edgeEls = new Map<string, SVGPathElement[]>();
const nodeById = new Map<string, GraphView["nodes"][number]>();

/*
 * Zoom and pan move one composited layer (a CSS transform with will-change), so a frame costs a
 * bitmap scale, not a redraw of 500 nodes. When the gesture pauses, the layer is redrawn crisp.
 */
let frame = 0;
let crispTimer: ReturnType<typeof setTimeout> | undefined;
function applyView(next: View): void {
  view = next;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    world.style.transform = toCssTransform(view);
    if (crispTimer) clearTimeout(crispTimer);
    crispTimer = setTimeout(() => {
      world.style.willChange = "auto";
      requestAnimationFrame(() => (world.style.willChange = "transform"));
    }, 200);
  });
}

function viewportSize(): { w: number; h: number } {
  const r = canvas.getBoundingClientRect();
  return { w: r.width, h: r.height };
}

function fitToView(): void {
  if (!layout) return;
  const { w, h } = viewportSize();
  applyView(fit(layout.width, layout.height, w, h));
}

function showMessage(text: string | null, problem = false): void {
  messageEl.hidden = text === null;
  messageEl.textContent = text ?? "";
  messageEl.classList.toggle("problem", problem);
}

/** Same nodes, kinds, connections and edges: the layout can be kept. */
function sameShape(a: GraphView | undefined, b: GraphView): boolean {
  if (!a || a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i];
    const y = b.nodes[i];
    if (!x || !y || x.id !== y.id || x.kind !== y.kind || x.connection !== y.connection || x.description !== y.description) return false;
  }
  return a.edges.every((e, i) => e.from === b.edges[i]?.from && e.to === b.edges[i]?.to) && JSON.stringify(a.cycles) === JSON.stringify(b.cycles);
}

async function showGraph(next: GraphView): Promise<void> {
  titleEl.textContent = `${next.name ?? "pipeline"} — ${next.nodes.length} step${next.nodes.length === 1 ? "" : "s"}${next.errorCount ? ` · ${next.errorCount} error${next.errorCount === 1 ? "" : "s"}` : ""}`;
  if (sameShape(graph, next) && layout) {
    graph = next;
    return;
  }
  if (graph?.uri !== next.uri) fitted = false; // another pipeline: show all of it
  const seq = ++layoutSeq;
  const started = performance.now();
  if (next.nodes.length === 0) {
    graph = next;
    layout = undefined;
    content.replaceChildren();
    showMessage("This pipeline has no steps yet. Add one under `steps:`.");
    return;
  }
  if (!layout) showMessage(`Laying out ${next.nodes.length} steps…`);
  const placed = await layoutGraph(next);
  if (seq !== layoutSeq) return; // a newer graph arrived while this one was laid out
  const layoutMs = performance.now() - started;
  graph = next;
  layout = placed;
  draw();
  showMessage(next.cycles.length > 0 ? `Cycle: ${next.cycles.map((c) => c.join(" → ")).join("; ")} — the run order is undefined until it is broken.` : null, next.cycles.length > 0);
  if (!fitted) {
    fitToView();
    fitted = true;
  }
  post({ type: "rendered", nodes: nodeEls.size, layoutMs: Math.round(layoutMs) });
}

function draw(): void {
  if (!graph || !layout) return;
  const w = Math.ceil(layout.width);
  const h = Math.ceil(layout.height);
  graphSvg.setAttribute("width", String(w));
  graphSvg.setAttribute("height", String(h));
  graphSvg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  content.innerHTML = graphMarkup(graph, layout, run?.steps ?? {});
  nodeEls.clear();
  edgeEls.clear();
  nodeById.clear();
  for (const n of graph.nodes) nodeById.set(n.id, n);
  for (const el of content.querySelectorAll<SVGGElement>(".node")) {
    const id = el.dataset.id;
    if (id !== undefined) nodeEls.set(id, el);
  }
  for (const el of content.querySelectorAll<SVGPathElement>(".edge")) {
    for (const id of [el.dataset.from, el.dataset.to]) if (id !== undefined) edgeEls.set(id, [...(edgeEls.get(id) ?? []), el]);
  }
  setHighlight(highlighted, false);
}

function updateNode(id: string, status: NodeStatus | undefined): void {
  const el = nodeEls.get(id);
  const n = nodeById.get(id);
  if (!el || !n) return;
  for (const c of [...el.classList]) if (c.startsWith("state-")) el.classList.remove(c);
  el.classList.add(`state-${status?.state ?? "none"}`);
  el.setAttribute("aria-label", nodeLabel(n, status));
  const sub = el.querySelector(".sub");
  if (sub) {
    const rows = formatRows(status?.rows ?? null);
    const retry = status?.state === "retrying" && status.attempt ? ` (attempt ${status.attempt})` : "";
    sub.textContent = status ? `${status.state}${retry}${rows ? ` · ${rows}` : ""}` : n.connection ?? n.kind ?? "";
  }
}

function showRun(next: RunView | null): void {
  run = next;
  runEl.hidden = next === null;
  runEl.textContent = next?.summary ?? "";
  runEl.className = `run phase-${next?.phase ?? "none"}`;
  for (const id of nodeEls.keys()) updateNode(id, next?.steps[id]);
}

function setHighlight(id: string | null, reveal: boolean): void {
  if (highlighted) {
    nodeEls.get(highlighted)?.classList.remove("highlight");
    for (const e of edgeEls.get(highlighted) ?? []) e.classList.remove("hl");
  }
  highlighted = id;
  if (!id) return;
  nodeEls.get(id)?.classList.add("highlight");
  for (const e of edgeEls.get(id) ?? []) e.classList.add("hl");
  const p = layout?.nodes.get(id);
  if (reveal && p) {
    const { w, h } = viewportSize();
    applyView(ensureVisible(view, { x: p.x, y: p.y, w: NODE_WIDTH, h: NODE_HEIGHT }, w, h));
  }
}

function focusNode(id: string): void {
  const el = nodeEls.get(id);
  if (!el) return;
  for (const other of content.querySelectorAll('.node[tabindex="0"]')) other.setAttribute("tabindex", "-1");
  el.setAttribute("tabindex", "0");
  el.focus({ preventScroll: true });
  const p = layout?.nodes.get(id);
  if (p) {
    const { w, h } = viewportSize();
    applyView(ensureVisible(view, { x: p.x, y: p.y, w: NODE_WIDTH, h: NODE_HEIGHT }, w, h));
  }
}

function exportSvg(): void {
  if (!graph || !layout) return;
  const styles = getComputedStyle(document.documentElement);
  const css = resolveCssVariables(GRAPH_CSS, (name) => styles.getPropertyValue(name));
  post({ type: "exportSvg", svg: standaloneSvg(graph, layout, run?.steps ?? {}, css) });
}

function zoomBy(factor: number): void {
  const { w, h } = viewportSize();
  applyView(zoomAt(view, factor, w / 2, h / 2));
}

// Clicks and drags: a drag pans, a click on a node reveals its step.
let drag: { x: number; y: number; vx: number; vy: number; moved: boolean; pointer: number } | undefined;
canvas.addEventListener("pointerdown", (e) => {
  if (e.button !== 0) return;
  drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false, pointer: e.pointerId };
});
canvas.addEventListener("pointermove", (e) => {
  if (!drag || e.pointerId !== drag.pointer) return;
  const dx = e.clientX - drag.x;
  const dy = e.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) < 4) return;
  if (!drag.moved) {
    drag.moved = true;
    canvas.setPointerCapture(e.pointerId);
    canvas.classList.add("panning");
  }
  applyView({ ...view, x: drag.vx + dx, y: drag.vy + dy });
});
canvas.addEventListener("pointerup", (e) => {
  const d = drag;
  drag = undefined;
  canvas.classList.remove("panning");
  if (!d || d.moved) return;
  const node = (e.target as Element | null)?.closest<SVGGElement>(".node");
  const id = node?.dataset.id;
  // The editor takes the focus: moving it into the webview here would race with it.
  if (id !== undefined) post({ type: "reveal", id });
});
canvas.addEventListener("wheel", (e) => {
  e.preventDefault();
  const r = canvas.getBoundingClientRect();
  applyView(zoomAt(view, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - r.left, e.clientY - r.top));
}, { passive: false });

canvas.addEventListener("keydown", (e) => {
  const target = (e.target as Element | null)?.closest<SVGGElement>(".node");
  const id = target?.dataset.id;
  const dir = directionOf(e.key);
  if (dir && layout) {
    const from = id ?? highlighted ?? layout.nodes.keys().next().value;
    const to = from === undefined ? undefined : id === undefined ? from : nextNode(layout, from, dir);
    if (to !== undefined) focusNode(to);
  } else if ((e.key === "Enter" || e.key === " ") && id !== undefined) {
    post({ type: "reveal", id });
  } else if (e.key === "+" || e.key === "=") zoomBy(1.2);
  else if (e.key === "-" || e.key === "_") zoomBy(1 / 1.2);
  else if (e.key === "0") fitToView();
  else return;
  e.preventDefault();
});

$<HTMLButtonElement>("#fit").addEventListener("click", fitToView);
$<HTMLButtonElement>("#zoomIn").addEventListener("click", () => zoomBy(1.2));
$<HTMLButtonElement>("#zoomOut").addEventListener("click", () => zoomBy(1 / 1.2));
$<HTMLButtonElement>("#exportSvg").addEventListener("click", exportSvg);

window.addEventListener("message", (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case "graph":
      showGraph(m.graph).catch((err: unknown) => {
        showMessage(`Could not lay out the graph: ${err instanceof Error ? err.message : String(err)}`, true);
        post({ type: "error", message: String(err) });
      });
      return;
    case "message":
      showMessage(m.text);
      return;
    case "run":
      showRun(m.run);
      return;
    case "highlight":
      setHighlight(m.id, m.reveal);
      return;
  }
});

post({ type: "ready" });
