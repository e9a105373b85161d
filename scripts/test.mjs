#!/usr/bin/env node
// `npm test`: builds the bundles, then runs every test suite under c8 coverage.
//   node scripts/test.mjs                 all suites (unit, lsp, integration, e2e)
//   node scripts/test.mjs unit lsp        only these suites
//   TEST_FILTER=graph node scripts/test.mjs unit   only files whose path contains "graph"
//   node scripts/test.mjs --coverage      the honest coverage figure: processes started on dist/cli.js or
//                                         dist/server.js run that entry from source (test/support/coverageEntry.mjs)
//                                         so c8 can attribute their lines; prints it per folder
// Services (PostgreSQL, the S3 server, Airflow, code-server) are started by test/support, never skipped.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const ALL = ["unit", "lsp", "integration", "e2e"];
const suites = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const selected = suites.length > 0 ? suites : ALL;
for (const s of selected) if (!ALL.includes(s)) {
  console.error(`unknown suite ${s}; suites: ${ALL.join(", ")}`);
  process.exit(2);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

// The whole suite also keeps main honest on types, lint and secrets (CI runs only `npm test`).
if (suites.length === 0 && !process.env.TEST_FILTER && !process.env.AGENT_ETL_SKIP_STATIC_CHECKS) {
  const bin = (name) => join(root, "node_modules", ".bin", name);
  for (const [label, cmd, args] of [
    ["typecheck", bin("tsc"), ["--noEmit", "-p", "."]],
    ["lint", bin("eslint"), ["--max-warnings=0", "."]],
    ["secret scan", bin("secretlint"), ["**/*"]],
  ]) {
    console.log(`\n▶ ${label}`);
    if (run(cmd, args) !== 0) {
      console.error(`✖ ${label} failed`);
      process.exit(1);
    }
  }
}

if (run("node", ["esbuild.mjs"]) !== 0) process.exit(1);

const filter = process.env.TEST_FILTER;
const files = selected
  .flatMap((s) => testFiles(join(root, "test", s)))
  .filter((f) => !filter || f.includes(filter))
  .map((f) => relative(root, f))
  .sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

const c8 = join(root, "node_modules", "c8", "bin", "c8.js");
const coverage = process.argv.includes("--coverage");
const entryHook = `--import=${JSON.stringify(join(root, "test", "support", "coverageEntry.mjs"))}`;
// The e2e suite's code-server runs the installed extension's client/src from source then (test/support/codeServer.ts).
const coverageEnv = coverage ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${entryHook}`.trim(), AGENT_ETL_COVERAGE_ROOT: root } : {};
// Every process a test starts (CLIs, servers, code-server's extension host) leaves a V8 coverage
// file, some 500 of them (~4 GB): c8 merges them one at a time (--merge-async) with room to spare,
// where loading them all at once ran out of the default heap after the tests had passed.
// Two test files at a time: most of a file's time is spent waiting on a service or a child process
// (PostgreSQL, Airflow, code-server, the CLI), and node's default on 2 cores is one at a time.
// Each file starts its own services on free ports, so files do not share state (8 m 15 s → 5 m 24 s).
const status = run(process.execPath, ["--max-old-space-size=8192", c8, "--merge-async", "node", "--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files], {
  // TSX_TSCONFIG_PATH: every process compiles TypeScript alike whatever its cwd (tsx otherwise looks for a
  // tsconfig there, and drops "use strict"); c8 merges one file's coverage from many processes by byte offset.
  env: { ...process.env, AGENT_ETL_TEST: "1", TSX_TSCONFIG_PATH: join(root, "tsconfig.json"), ...coverageEnv },
});
if (coverage) run("node", [join(root, "scripts", "coverageSummary.mjs"), join(root, "coverage", "lcov.info")]);
else console.log("(lines run by the dist/ bundles in child processes are not counted above; `node scripts/test.mjs --coverage` counts them)");
process.exit(status);
