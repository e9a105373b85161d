// Bundles the extension-host test suite into out/electron-suite/index.js (vscode and mocha stay external).
import * as esbuild from "esbuild";

await esbuild.build({
  entryPoints: [new URL("./suite/index.ts", import.meta.url).pathname],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: ["vscode", "mocha"],
  outfile: new URL("../../../out/electron-suite/index.js", import.meta.url).pathname,
  logLevel: "warning",
});
