/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The DAG preview webview: lays out the graph the extension sends (elkjs), draws it as SVG, and
 * handles zoom, pan, keyboard and clicks. Talks to the extension by messages only.
 */
import { attachInput } from "./input";
import { layoutGraph, type Direction, type Layout, type Measure } from "./layout";
import type { FromWebview, GraphView, NodeStatus, RunView, ToWebview } from "./messages";
import { Minimap } from "./minimap";
import { nextNode } from "./navigate";
import { checkMark, formatRows, graphMarkup, nodeLabel, standaloneSvg } from "./render";
import { GRAPH_CSS, PAGE_CSS, resolveCssVariables } from "./styles";
import { clampPan, directionFor, ensureVisible, fit, initialView, toCssTransform, zoomAt, type View } from "./viewport";

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
const zoomEl = $<HTMLSpanElement>("#zoom");

const sheet = new CSSStyleSheet();
sheet.replaceSync(PAGE_CSS + GRAPH_CSS);
document.adoptedStyleSheets = [sheet];

let graph: GraphView | undefined;
let layout: Layout | undefined;
let layoutKey = "";
let direction: Direction | undefined;
let run: RunView | null = null;
let highlighted: string | null = null;
let view: View = { x: 0, y: 0, k: 1 };
/** The user moved or zoomed since the graph was placed: a resize keeps their view. */
let userMoved = false;
let placedUri: string | undefined;
let layoutSeq = 0;
let size = { w: 0, h: 0 };
const nodeEls = new Map<string, SVGGElement>();
const edgeEls = new Map<string, SVGPathElement[]>();
const nodeById = new Map<string, GraphView["nodes"][number]>();
const minimap = new Minimap($("#minimap"), $("#minimapCanvas"), $("#minimapView"), (x, y) => setView({ k: view.k, x: size.w / 2 - x * view.k, y: size.h / 2 - y * view.k }));

function readSize(): { w: number; h: number } {
  const r = canvas.getBoundingClientRect();
  size = { w: r.width, h: r.height };
  return size;
}

/*
 * Zoom and pan move one composited layer (a CSS transform with will-change), so a frame costs a
 * bitmap move, not a redraw of 500 nodes. When a zoom pauses, the layer is redrawn crisp.
 */
let frame = 0;
let crispTimer: ReturnType<typeof setTimeout> | undefined;
let crispK = 1;
function setView(next: View, byUser = true): void {
  view = layout ? clampPan(next, layout.width, layout.height, size.w, size.h) : next;
  if (byUser) userMoved = true;
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    world.style.transform = toCssTransform(view);
    zoomEl.textContent = `${Math.round(view.k * 100)}%`;
    minimap.setView(view, size.w, size.h);
    if (view.k === crispK) return;
    if (crispTimer) clearTimeout(crispTimer);
    crispTimer = setTimeout(() => {
      crispK = view.k;
      world.style.willChange = "auto";
      requestAnimationFrame(() => (world.style.willChange = "transform"));
    }, 200);
  });
}

function placeInitially(): void {
  if (!layout || !graph) return;
  const { w, h } = readSize();
  setView(initialView(layout.width, layout.height, w, h, graph.nodes.length), false);
  userMoved = false;
}

function showMessage(text: string | null, problem = false): void {
  messageEl.hidden = text === null;
  messageEl.textContent = text ?? "";
  messageEl.classList.toggle("problem", problem);
}

/** What the layout depends on: ids, node widths (label, second line, mark), edges, missing ids. */
function keyOf(g: GraphView, dir: Direction): string {
  return JSON.stringify([dir, g.nodes.map((n) => [n.id, n.connection ?? n.kind, n.problems.length > 0]), g.edges, g.missing]);
}

/** Text widths in the fonts the nodes are drawn with (the theme's), for nodes as wide as their labels. */
function textMeasure(): Measure {
  const probe = (cls: string): string => {
    const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
    t.setAttribute("class", cls);
    const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
    g.setAttribute("class", "node");
    g.append(t);
    content.append(g);
    const s = getComputedStyle(t);
    const font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    g.remove();
    return font;
  };
  const fonts = { label: probe("label"), sub: probe("sub") };
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return (text, font) => text.length * (font === "label" ? 8.2 : 6.4);
  return (text, font) => {
    ctx.font = fonts[font];
    return ctx.measureText(text).width;
  };
}

function setTitle(g: GraphView): void {
  const problems = g.errorCount ? ` · ${g.errorCount} error${g.errorCount === 1 ? "" : "s"}` : "";
  titleEl.textContent = `${g.name ?? "pipeline"} — ${g.nodes.length} step${g.nodes.length === 1 ? "" : "s"}${problems}`;
}

async function showGraph(next: GraphView): Promise<void> {
  setTitle(next);
  const { w, h } = readSize();
  direction = directionFor(w, h, direction);
  const key = keyOf(next, direction);
  if (key === layoutKey && layout) {
    // Problems' texts, descriptions, cycles: new markup on the same places (and only then: a
    // redraw would take the focus from a step).
    const changed = JSON.stringify({ ...graph, version: 0 }) !== JSON.stringify({ ...next, version: 0 });
    graph = next;
    if (changed) draw();
    return;
  }
  const seq = ++layoutSeq;
  const started = performance.now();
  if (next.nodes.length === 0) {
    graph = next;
    layout = undefined;
    layoutKey = "";
    content.replaceChildren();
    minimap.setLayout(undefined, 0);
    showMessage("This pipeline has no steps yet. Add one under `steps:`.");
    return;
  }
  if (!layout) showMessage(`Laying out ${next.nodes.length} steps…`);
  const placed = await layoutGraph(next, { direction, measure: textMeasure() });
  if (seq !== layoutSeq) return; // a newer graph arrived while this one was laid out
  const layoutMs = performance.now() - started;
  const replaced = placedUri !== next.uri || placed.direction !== layout?.direction;
  graph = next;
  layout = placed;
  layoutKey = key;
  draw();
  minimap.setLayout(layout, next.nodes.length);
  showMessage(next.cycles.length > 0 ? `Cycle: ${next.cycles.map((c) => c.join(" → ")).join("; ")} — the run order is undefined until it is broken.` : null, next.cycles.length > 0);
  // Another pipeline, another direction, or a view nobody moved: place it afresh; else keep the user's view.
  if (replaced || !userMoved) placeInitially();
  else setView(view, false);
  placedUri = next.uri;
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
  el.querySelector(".check-mark")?.remove();
  const mark = checkMark(status, Number(el.querySelector(".box")?.getAttribute("width") ?? 0), Number(el.querySelector(".box")?.getAttribute("height") ?? 0));
  if (mark) el.insertAdjacentHTML("beforeend", mark);
  const sub = el.querySelector(".sub");
  if (sub) {
    const rows = formatRows(status?.rows ?? null);
    const retry = status?.state === "retrying" && status.attempt ? ` (attempt ${status.attempt})` : "";
    sub.textContent = status ? `${status.state}${retry}${rows ? ` · ${rows}` : ""}${status.anomalies?.length ? " · ⚠" : ""}` : n.connection ?? n.kind ?? "";
  }
}

function showRun(next: RunView | null): void {
  run = next;
  runEl.hidden = next === null;
  runEl.textContent = next?.summary ?? "";
  runEl.className = `run phase-${next?.phase ?? "none"}`;
  for (const id of nodeEls.keys()) updateNode(id, next?.steps[id]);
}

function reveal(id: string): void {
  const p = layout?.nodes.get(id);
  if (p) setView(ensureVisible(view, p, size.w, size.h), false);
}

function setHighlight(id: string | null, doReveal: boolean): void {
  if (highlighted) {
    nodeEls.get(highlighted)?.classList.remove("highlight");
    for (const e of edgeEls.get(highlighted) ?? []) e.classList.remove("hl");
  }
  highlighted = id;
  if (!id) return;
  nodeEls.get(id)?.classList.add("highlight");
  for (const e of edgeEls.get(id) ?? []) e.classList.add("hl");
  if (doReveal) reveal(id);
}

function focusNode(id: string): void {
  const el = nodeEls.get(id);
  if (!el) return;
  for (const other of content.querySelectorAll('.node[tabindex="0"]')) other.setAttribute("tabindex", "-1");
  el.setAttribute("tabindex", "0");
  el.focus({ preventScroll: true });
  reveal(id);
}

function exportSvg(): void {
  if (!graph || !layout) return;
  const styles = getComputedStyle(document.documentElement);
  const css = resolveCssVariables(GRAPH_CSS, (name) => styles.getPropertyValue(name));
  post({ type: "exportSvg", svg: standaloneSvg(graph, layout, run?.steps ?? {}, css) });
}

const zoom = (factor: number, px = size.w / 2, py = size.h / 2): void => setView(zoomAt(view, factor, px, py));
const fitAll = (): void => {
  if (layout) setView(fit(layout.width, layout.height, size.w, size.h));
};
attachInput(canvas, {
  pan: (dx, dy) => setView({ ...view, x: view.x + dx, y: view.y + dy }),
  zoom,
  fit: fitAll,
  actualSize: () => zoom(1 / view.k),
  move: (id, dir) => {
    const to = layout ? nextNode(layout, id, dir) : undefined;
    if (to !== undefined) focusNode(to);
  },
  reveal: (id) => post({ type: "reveal", id }),
  size: () => size,
});

// A resize that changes the pane's shape lays the graph out the other way (debounced: a sash drag
// sends many); otherwise the view is placed again, unless the user has moved it.
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  readSize();
  if (resizeTimer) clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (!graph || !layout) return;
    if (directionFor(size.w, size.h, direction) !== direction) {
      void showGraph(graph).catch(layoutFailed);
    } else if (!userMoved) placeInitially();
    else setView(view, false);
  }, 150);
}).observe(canvas);

$<HTMLButtonElement>("#fit").addEventListener("click", fitAll);
$<HTMLButtonElement>("#actual").addEventListener("click", () => zoom(1 / view.k));
$<HTMLButtonElement>("#zoomIn").addEventListener("click", () => zoom(1.2));
$<HTMLButtonElement>("#zoomOut").addEventListener("click", () => zoom(1 / 1.2));
$<HTMLButtonElement>("#exportSvg").addEventListener("click", exportSvg);

function layoutFailed(err: unknown): void {
  showMessage(`Could not lay out the graph: ${err instanceof Error ? err.message : String(err)}`, true);
  post({ type: "error", message: String(err) });
}

window.addEventListener("message", (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case "graph":
      showGraph(m.graph).catch(layoutFailed);
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
