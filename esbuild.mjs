// One script builds every entry point (STYLE.md). `--watch` rebuilds on change, `--production` minifies.
import { readFileSync } from "node:fs";
import * as esbuild from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

/** @type {import('esbuild').BuildOptions} */
const node = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
  // `vscode` is provided by the editor at run time.
  external: ["vscode"],
  define: { AGENT_ETL_VERSION: JSON.stringify(version) },
  // cron-parser require()s luxon's CommonJS build; our `import` would otherwise bundle its ES build
  // beside it: two copies, and settings made in one (invalidSchedule.ts) unseen by the other.
  alias: { luxon: "./node_modules/luxon/build/node/luxon.js" },
};

const builds = [
  { ...node, entryPoints: { extension: "client/src/extension.ts" }, outdir: "dist" },
  { ...node, entryPoints: { server: "server/src/server.ts" }, outdir: "dist" },
  { ...node, entryPoints: { cli: "server/src/cli.ts" }, outdir: "dist", banner: { js: "#!/usr/bin/env node" } },
  { bundle: true, platform: "browser", format: "iife", target: "es2022", sourcemap: !production, minify: production, logLevel: "warning", entryPoints: { preview: "client/src/preview/main.ts" }, outdir: "dist" },
];

const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
