/** Arrow-key movement between nodes: along edges first, else to the nearest node that way. */
import type { Layout } from "./layout";

export type Direction = "left" | "right" | "up" | "down";

export function nextNode(layout: Layout, from: string, dir: Direction): string | undefined {
  const a = layout.nodes.get(from);
  if (!a) return undefined;
  // Downstream is right in a left-to-right layout and down in a top-to-bottom one.
  const [ahead, back] = layout.direction === "DOWN" ? ["down", "up"] : ["right", "left"];
  const linked = new Set(
    dir === ahead ? layout.edges.filter((e) => e.from === from && !e.missing).map((e) => e.to)
      : dir === back ? layout.edges.filter((e) => e.to === from && !e.missing).map((e) => e.from) : [],
  );
  let best: string | undefined;
  let bestScore = Infinity;
  for (const b of layout.nodes.values()) {
    if (b.id === from) continue;
    const dx = b.x + b.w / 2 - (a.x + a.w / 2);
    const dy = b.y + b.h / 2 - (a.y + a.h / 2);
    const isAhead = dir === "right" ? dx > 1 : dir === "left" ? dx < -1 : dir === "down" ? dy > 1 : dy < -1;
    if (!isAhead) continue;
    const along = dir === "left" || dir === "right" ? Math.abs(dx) : Math.abs(dy);
    const across = dir === "left" || dir === "right" ? Math.abs(dy) : Math.abs(dx);
    const score = along + across * 3 - (linked.has(b.id) ? 1e6 : 0);
    if (score < bestScore) {
      bestScore = score;
      best = b.id;
    }
  }
  return best;
}

export function directionOf(key: string): Direction | undefined {
  switch (key) {
    case "ArrowLeft": return "left";
    case "ArrowRight": return "right";
    case "ArrowUp": return "up";
    case "ArrowDown": return "down";
    default: return undefined;
  }
}
