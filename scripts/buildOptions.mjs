// esbuild options shared by esbuild.mjs and the benchmarks, so every bundle is built alike.
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `server/src/sources/s3/sdk.ts` (the AWS SDK) stays out of the bundles: they require `./aws-sdk.js`, built beside them. */
export const awsSdkOutside = {
  name: "aws-sdk-outside",
  setup(build) {
    build.onResolve({ filter: /(^|\/)sdk(\.js)?$/ }, (args) => {
      const inS3 = args.resolveDir.endsWith("/server/src/sources/s3") && (args.path === "./sdk" || args.path === "./sdk.js");
      return inS3 ? { path: "./aws-sdk.js", external: true } : undefined;
    });
  },
};

/** Options for a Node bundle (the extension, the language server, the CLI). */
export function nodeBundle({ production = false, version = "0.0.0-dev" } = {}) {
  return {
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: !production,
    minify: production,
    logLevel: "warning",
    // `vscode` is provided by the editor at run time; DuckDB's bindings are a native module, an
    // optional dependency loaded on first use (sources/duckdb/engine.ts).
    external: ["vscode", "@duckdb/node-api"],
    define: { AGENT_ETL_VERSION: JSON.stringify(version) },
    // cron-parser require()s luxon's CommonJS build; our `import` would otherwise bundle its ES build
    // beside it: two copies, and settings made in one (invalidSchedule.ts) unseen by the other.
    alias: { luxon: `${root}node_modules/luxon/build/node/luxon.js` },
    plugins: [awsSdkOutside],
  };
}

/** The AWS SDK bundle the Node bundles load on their first S3 call. */
export function awsSdkBundle(options) {
  return { ...nodeBundle(options), plugins: [], entryPoints: { "aws-sdk": `${root}server/src/sources/s3/sdk.ts` } };
}

/**
 * The CLI, as two bundles: `<name>.js`, the package's bin, a small launcher (server/src/cliLauncher.ts)
 * that runs `<name>-main.js`, the CLI itself, through a V8 code cache (server/src/cli/codeCache.ts).
 * The launcher compiles that bundle with `vm.Script`, which has no loader for a true `import()`:
 * esbuild turns the remaining ones (optional packages such as DuckDB's) into `require()`.
 */
export function cliBundles(options, name = "cli") {
  const node = nodeBundle(options);
  return [
    { ...node, entryPoints: { [name]: `${root}server/src/cliLauncher.ts` }, banner: { js: "#!/usr/bin/env node" } },
    { ...node, entryPoints: { [`${name}-main`]: `${root}server/src/cli.ts` }, supported: { "dynamic-import": false } },
  ];
}
