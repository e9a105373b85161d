#!/usr/bin/env node
// `npm run quickstart`: runs examples/quickstart/quickstart.etl.yaml with the built CLI and shows the result.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const example = join(root, "examples", "quickstart");
const cli = join(root, "dist", "cli.js");

const run = spawnSync(process.execPath, [cli, "run", join(example, "quickstart.etl.yaml")], { stdio: "inherit", cwd: root });
if (run.error) throw run.error;
if (run.status !== 0) process.exit(run.status ?? 1);

const out = join(example, "out");
const shown = relative(process.cwd(), out) || ".";
console.log(`\nOutput written to ${shown}/:`);
console.log(`  ${shown}/paid_orders.jsonl       paid orders joined to their customers`);
console.log(`  ${shown}/revenue_by_country.csv  revenue per country:\n`);
console.log(readFileSync(join(out, "revenue_by_country.csv"), "utf8").replace(/^/gm, "    ").trimEnd());
