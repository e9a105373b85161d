#!/usr/bin/env node
// `npm run quickstart`: runs examples/quickstart/quickstart.etl.yaml with the built CLI and shows the result.
// `npm run quickstart -- --duckdb` then also loads the orders into examples/quickstart/warehouse.duckdb
// (quickstart_duckdb.etl.yaml) and queries the file: no server to start.
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

if (process.argv.includes("--duckdb")) {
  const second = spawnSync(process.execPath, [cli, "run", join(example, "quickstart_duckdb.etl.yaml")], { stdio: "inherit", cwd: root });
  if (second.error) throw second.error;
  if (second.status !== 0) process.exit(second.status ?? 1);
  const database = join(example, "warehouse.duckdb");
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(database, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll("SELECT country, orders, revenue FROM revenue_by_country ORDER BY country");
  console.log(`\nLoaded into ${relative(process.cwd(), database)}; SELECT * FROM revenue_by_country:\n`);
  console.log("    country  orders  revenue");
  for (const row of reader.getRowObjectsJson()) console.log(`    ${String(row.country).padEnd(7)}  ${String(row.orders).padStart(6)}  ${String(row.revenue).padStart(7)}`);
  connection.closeSync();
  instance.closeSync();
}
