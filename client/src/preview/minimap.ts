/// <reference lib="dom" />
/**
 * The overview of a big graph (from MINIMAP_STEPS steps): every node as a dot on a canvas, drawn
 * once per layout, and the viewport as a rectangle moved with a CSS transform on each view change.
 * A click or drag on it centres the view there.
 */
import type { Layout } from "./layout";
import type { View } from "./viewport";

const MINIMAP_STEPS = 200;
const MAX_W = 220;
const MAX_H = 160;

export class Minimap {
  private scale = 1;
  private layout: Layout | undefined;
  private dragging = false;

  constructor(
    private readonly box: HTMLDivElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly rect: HTMLDivElement,
    /** Asked to centre the view on this point of the graph. */
    private readonly centreOn: (x: number, y: number) => void,
  ) {
    const at = (e: PointerEvent): void => {
      const r = canvas.getBoundingClientRect();
      this.centreOn((e.clientX - r.left) / this.scale, (e.clientY - r.top) / this.scale);
    };
    // The minimap sits inside the pannable canvas: its gestures must not pan or zoom the graph too.
    // No pointer capture (see input.ts): the webview's frame gets a pressed button's moves anyway.
    box.addEventListener("pointerdown", (e) => {
      e.stopPropagation();
      if (e.button !== 0) return;
      this.dragging = true;
      at(e);
    });
    window.addEventListener("pointermove", (e) => {
      if (!this.dragging) return;
      if (e.buttons === 0) this.dragging = false;
      else at(e);
    });
    window.addEventListener("pointerup", () => (this.dragging = false));
    box.addEventListener("wheel", (e) => e.stopPropagation());
  }

  /** Draws the overview of a new layout, or hides it for a small graph. */
  setLayout(layout: Layout | undefined, steps: number): void {
    this.layout = steps >= MINIMAP_STEPS ? layout : undefined;
    this.box.hidden = this.layout === undefined;
    if (!this.layout) return;
    const { width, height } = this.layout;
    this.scale = Math.min(MAX_W / width, MAX_H / height);
    const ratio = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(width * this.scale));
    const h = Math.max(1, Math.round(height * this.scale));
    this.canvas.width = w * ratio;
    this.canvas.height = h * ratio;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const css = getComputedStyle(this.box);
    ctx.setTransform(ratio * this.scale, 0, 0, ratio * this.scale, 0, 0);
    ctx.fillStyle = css.getPropertyValue("--minimap-node").trim() || "#888";
    for (const n of this.layout.nodes.values()) ctx.fillRect(n.x, n.y, n.w, n.h);
    ctx.fillStyle = css.getPropertyValue("--minimap-ghost").trim() || "#f14c4c";
    for (const n of this.layout.ghosts.values()) ctx.fillRect(n.x, n.y, n.w, n.h);
  }

  /** Moves the viewport rectangle: what of the graph a `vw`×`vh` pane shows at `view`. */
  setView(view: View, vw: number, vh: number): void {
    if (!this.layout) return;
    const s = this.scale;
    const x = (-view.x / view.k) * s;
    const y = (-view.y / view.k) * s;
    this.rect.style.width = `${(vw / view.k) * s}px`;
    this.rect.style.height = `${(vh / view.k) * s}px`;
    this.rect.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
  }
}
