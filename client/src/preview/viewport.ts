/** Zoom and pan as a transform `translate(x y) scale(k)`: pure math, applied by main.ts. */
export interface View {
  x: number;
  y: number;
  k: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 3;

function clamp(k: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));
}

/** Scales by `factor` keeping the point (px, py) of the screen fixed. */
export function zoomAt(v: View, factor: number, px: number, py: number): View {
  const k = clamp(v.k * factor);
  const f = k / v.k;
  return { k, x: px - (px - v.x) * f, y: py - (py - v.y) * f };
}

/** The view that shows a `w`×`h` graph in a `vw`×`vh` viewport, not enlarged past 1.25. */
export function fit(w: number, h: number, vw: number, vh: number, pad = 16): View {
  if (w <= 0 || h <= 0 || vw <= 0 || vh <= 0) return { x: 0, y: 0, k: 1 };
  const k = clamp(Math.min((vw - 2 * pad) / w, (vh - 2 * pad) / h, 1.25));
  return { k, x: (vw - w * k) / 2, y: (vh - h * k) / 2 };
}

/** Up to this many steps the preview opens at 100% and pans; a bigger graph may be scaled down. */
export const SMALL_GRAPH = 40;
/** The least scale the preview opens at: node labels (13 px) stay about 10 px. */
export const READABLE_SCALE = 0.75;

/**
 * The view a graph opens at: 100% for small pipelines (pan to see the rest), else scaled to fit
 * but never below READABLE_SCALE. An axis that fits is centred; one that does not starts at the
 * graph's beginning, where its sources are.
 */
export function initialView(w: number, h: number, vw: number, vh: number, steps: number, pad = 16): View {
  if (w <= 0 || h <= 0 || vw <= 0 || vh <= 0) return { x: 0, y: 0, k: 1 };
  const fitK = Math.min((vw - 2 * pad) / w, (vh - 2 * pad) / h);
  const k = steps <= SMALL_GRAPH ? 1 : Math.max(READABLE_SCALE, Math.min(1, fitK));
  const place = (size: number, room: number): number => (size * k <= room - 2 * pad ? (room - size * k) / 2 : pad);
  return { k, x: place(w, vw), y: place(h, vh) };
}

/** Keeps at least `margin` px of a `w`×`h` graph on screen: a pan cannot lose the graph. */
export function clampPan(v: View, w: number, h: number, vw: number, vh: number, margin = 48): View {
  const axis = (p: number, size: number, room: number): number => {
    const m = Math.min(margin, size * v.k, room);
    return Math.min(room - m, Math.max(m - size * v.k, p));
  };
  return { k: v.k, x: axis(v.x, w, vw), y: axis(v.y, h, vh) };
}

/** Top-to-bottom in a pane clearly taller than wide, else left to right; near square keeps `current`. */
export function directionFor(vw: number, vh: number, current: "RIGHT" | "DOWN" | undefined): "RIGHT" | "DOWN" {
  if (vh > vw * 1.15) return "DOWN";
  if (vw > vh * 1.15) return "RIGHT";
  return current ?? (vh > vw ? "DOWN" : "RIGHT");
}

/** Pans so that the box (x, y, w, h) in graph coordinates is visible; unchanged if it already is. */
export function ensureVisible(v: View, box: { x: number; y: number; w: number; h: number }, vw: number, vh: number, margin = 24): View {
  const left = box.x * v.k + v.x;
  const top = box.y * v.k + v.y;
  const right = left + box.w * v.k;
  const bottom = top + box.h * v.k;
  if (left >= margin && top >= margin && right <= vw - margin && bottom <= vh - margin) return v;
  return { k: v.k, x: vw / 2 - (box.x + box.w / 2) * v.k, y: vh / 2 - (box.y + box.h / 2) * v.k };
}

export function toTransform(v: View): string {
  return `translate(${v.x.toFixed(2)} ${v.y.toFixed(2)}) scale(${v.k.toFixed(4)})`;
}

/** The same view as a CSS transform (for an HTML layer with `transform-origin: 0 0`). */
export function toCssTransform(v: View): string {
  return `translate(${v.x.toFixed(2)}px, ${v.y.toFixed(2)}px) scale(${v.k.toFixed(4)})`;
}
