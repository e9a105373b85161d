// Coverage mode only (`node scripts/test.mjs --coverage` puts this in NODE_OPTIONS as `--import`).
// A Node process started on one of the bundles (dist/cli.js, dist/server.js) runs the same entry from
// source instead, through tsx, so that c8 can attribute its coverage to server/src line by line:
// remapping the bundles through their source maps miscounts (esbuild hoists functions out of the
// lazy module wrappers it makes for dynamic imports, and v8-to-istanbul then lets the wrapper's
// count overwrite the functions'). Every other process is left alone.
import { register } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(new URL("../..", import.meta.url).pathname);
const ENTRIES = {
  [resolve(root, "dist/cli.js")]: resolve(root, "server/src/cli.ts"),
  [resolve(root, "dist/server.js")]: resolve(root, "server/src/server.ts"),
};

const main = process.argv[1] ? resolve(process.argv[1]) : "";
const source = ENTRIES[main];
if (source !== undefined) {
  // The repo's tsconfig, whatever the cwd: tsx compiles a file differently without it ("use strict"), and c8
  // merges the coverage of one file from many processes by byte offset, so every process must compile alike.
  process.env.TSX_TSCONFIG_PATH ??= resolve(root, "tsconfig.json");
  await import("tsx");
  register(new URL("./coverageRedirect.mjs", import.meta.url), {
    data: { from: pathToFileURL(main).href, to: pathToFileURL(source).href },
  });
}
