// One script builds every entry point (STYLE.md). `--watch` rebuilds on change, `--production` minifies.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import * as esbuild from "esbuild";
import { awsSdkBundle, cliBundles, nodeBundle } from "./scripts/buildOptions.mjs";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const node = nodeBundle({ production, version });

const builds = [
  { ...node, entryPoints: { extension: "client/src/extension.ts" }, outdir: "dist" },
  { ...node, entryPoints: { server: "server/src/server.ts" }, outdir: "dist" },
  ...cliBundles({ production, version }).map((b) => ({ ...b, outdir: "dist" })),
  { ...awsSdkBundle({ production, version }), outdir: "dist" },
  { bundle: true, platform: "browser", format: "iife", target: "es2022", sourcemap: !production, minify: production, logLevel: "warning", entryPoints: { preview: "client/src/preview/main.ts" }, outdir: "dist" },
];

// zstd's WebAssembly build, read at run time from the bundle's folder by @bokuweb/zstd-wasm (Parquet `compression: zstd`).
mkdirSync("dist", { recursive: true });
copyFileSync("node_modules/@bokuweb/zstd-wasm/dist/common/zstd.wasm", "dist/zstd.wasm");

const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
