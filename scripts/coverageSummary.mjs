#!/usr/bin/env node
// Line coverage per folder from an lcov file (c8 prints only the total):
//   node scripts/coverageSummary.mjs coverage/lcov.info
// Folders: each directory directly under server/src, server/src itself (its own files) and client/src.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const file = process.argv[2] ?? `${root}coverage/lcov.info`;

function folderOf(path) {
  const parts = relative(root, path).split("/");
  if (parts[0] === "server" && parts[1] === "src") return parts.length > 3 ? parts.slice(0, 3).join("/") : "server/src (top files)";
  return parts.slice(0, 2).join("/");
}

const folders = new Map();
let current;
for (const line of readFileSync(file, "utf8").split("\n")) {
  if (line.startsWith("SF:")) {
    const key = folderOf(line.slice(3));
    current = folders.get(key) ?? { hit: 0, total: 0 };
    folders.set(key, current);
  } else if (line.startsWith("DA:") && current) {
    current.total++;
    if (Number(line.split(",")[1]) > 0) current.hit++;
  }
}

const pct = (hit, total) => (total === 0 ? "  -  " : `${((100 * hit) / total).toFixed(1).padStart(5)}%`);
let hit = 0;
let total = 0;
console.log("\nline coverage per folder");
for (const [name, f] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  hit += f.hit;
  total += f.total;
  console.log(`  ${pct(f.hit, f.total)}  ${String(f.hit).padStart(5)}/${String(f.total).padEnd(5)}  ${name}`);
}
console.log(`  ${pct(hit, total)}  ${String(hit).padStart(5)}/${String(total).padEnd(5)}  all`);
