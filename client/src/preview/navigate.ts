/** Arrow-key movement between nodes: along edges first, else to the nearest node that way. */
import type { Layout } from "./layout";

export type Direction = "left" | "right" | "up" | "down";

export function nextNode(layout: Layout, from: string, dir: Direction): string | undefined {
  const a = layout.nodes.get(from);
  if (!a) return undefined;
  const linked = new Set(
    dir === "right" ? layout.edges.filter((e) => e.from === from).map((e) => e.to)
      : dir === "left" ? layout.edges.filter((e) => e.to === from).map((e) => e.from) : [],
  );
  let best: string | undefined;
  let bestScore = Infinity;
  for (const b of layout.nodes.values()) {
    if (b.id === from) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const ahead = dir === "right" ? dx > 1 : dir === "left" ? dx < -1 : dir === "down" ? dy > 1 : dy < -1;
    if (!ahead) continue;
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
