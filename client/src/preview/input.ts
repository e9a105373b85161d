/// <reference lib="dom" />
/**
 * Mouse, wheel, trackpad and keys on the preview's canvas, turned into intents: pan, zoom, fit,
 * move between steps, reveal a step. No view state here: main.ts owns it.
 */
import { directionOf, type Direction } from "./navigate";

export interface InputHandlers {
  /** Moves the graph by (dx, dy) screen pixels. */
  pan(dx: number, dy: number): void;
  /** Scales by `factor` around the screen point (px, py), or the pane's centre. */
  zoom(factor: number, px?: number, py?: number): void;
  fit(): void;
  actualSize(): void;
  /** An arrow key on the step `id`. */
  move(id: string, dir: Direction): void;
  reveal(id: string): void;
  /** The pane's size, as last observed. */
  size(): { w: number; h: number };
}

const KEY_PAN = 80;
const KEY_ZOOM = 1.2;

function wheelUnit(e: WheelEvent, pageHeight: number): number {
  return e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? pageHeight : 1;
}

/**
 * A drag pans, a click on a node reveals its step. No setPointerCapture: in a webview (an
 * out-of-process iframe) the moves after a capture never arrived, so a drag moved one step. The
 * frame keeps getting the moves of a pressed button anyway; a release outside it ends the drag
 * at the next move (no button down).
 */
function attachPointer(canvas: HTMLElement, on: InputHandlers): void {
  let drag: { x: number; y: number; moved: boolean; pointer: number } | undefined;
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, moved: false, pointer: e.pointerId };
  });
  const end = (e: PointerEvent): void => {
    const d = drag;
    drag = undefined;
    canvas.classList.remove("panning");
    if (!d || e.type !== "pointerup") return;
    // The last moves before a release may be coalesced away: the release's position completes the pan.
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (d.moved || Math.hypot(dx, dy) >= 4) {
      if (dx || dy) on.pan(dx, dy);
      return;
    }
    const id = (e.target as Element | null)?.closest<SVGGElement>(".node")?.dataset.id;
    // The editor takes the focus: moving it into the webview here would race with it.
    if (id !== undefined) on.reveal(id);
  };
  window.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    if (e.buttons === 0) return end(e);
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      canvas.classList.add("panning");
    }
    drag.x = e.clientX;
    drag.y = e.clientY;
    on.pan(dx, dy);
  });
  window.addEventListener("pointerup", end);
  window.addEventListener("pointercancel", end);
  // A drag that started on selected label text became the browser's drag of that text, and
  // cancelled the pan after one step (the canvas also selects nothing, see styles.ts).
  canvas.addEventListener("dragstart", (e) => e.preventDefault());
}

/** Wheel and two-finger scroll pan; ctrl+wheel (and a trackpad pinch, which Chromium sends as one) zooms. */
function attachWheel(canvas: HTMLElement, on: InputHandlers): void {
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const unit = wheelUnit(e, on.size().h);
    if (e.ctrlKey || e.metaKey) {
      const r = canvas.getBoundingClientRect();
      on.zoom(Math.exp(-e.deltaY * unit * 0.0025), e.clientX - r.left, e.clientY - r.top);
      return;
    }
    let dx = e.deltaX * unit;
    let dy = e.deltaY * unit;
    if (e.shiftKey && dx === 0) [dx, dy] = [dy, 0];
    on.pan(-dx, -dy);
  }, { passive: false });
}

/**
 * On the canvas arrows pan (shift: most of a pane); on a step they move between steps, and Escape
 * goes back to the canvas. Everywhere: + and − zoom, 0 fits, 1 is actual size.
 */
function attachKeys(canvas: HTMLElement, on: InputHandlers): void {
  canvas.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const node = (e.target as Element | null)?.closest<SVGGElement>(".node");
    const id = node?.dataset.id;
    const dir = directionOf(e.key);
    if (dir && id !== undefined) on.move(id, dir);
    else if (dir) {
      const { w, h } = on.size();
      const step = e.shiftKey ? 0.8 : 0;
      const dx = step ? w * step : KEY_PAN;
      const dy = step ? h * step : KEY_PAN;
      on.pan(dir === "left" ? dx : dir === "right" ? -dx : 0, dir === "up" ? dy : dir === "down" ? -dy : 0);
    } else if ((e.key === "Enter" || e.key === " ") && id !== undefined) on.reveal(id);
    else if (e.key === "Escape" && id !== undefined) canvas.focus({ preventScroll: true });
    else if (e.key === "+" || e.key === "=") on.zoom(KEY_ZOOM);
    else if (e.key === "-" || e.key === "_") on.zoom(1 / KEY_ZOOM);
    else if (e.key === "0") on.fit();
    else if (e.key === "1") on.actualSize();
    else return;
    e.preventDefault();
  });
}

export function attachInput(canvas: HTMLElement, on: InputHandlers): void {
  attachPointer(canvas, on);
  attachWheel(canvas, on);
  attachKeys(canvas, on);
}
