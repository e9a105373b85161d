/**
 * Runs the integration suite inside a real VS Code downloaded by @vscode/test-electron. Needs the
 * internet (GitHub's runners have it; our machines do not: there the code-server suite in test/e2e
 * covers the same scenarios). Usage, after `npm run build`:
 *   node client/src/test/build.mjs && xvfb-run -a npx tsx client/src/test/runTest.ts
 */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runTests } from "@vscode/test-electron";

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..", "..");
  const workspace = mkdtempSync(path.join(tmpdir(), "agent-etl-electron-"));
  cpSync(path.join(root, "test", "e2e", "fixtures", "workspace"), workspace, { recursive: true });
  await runTests({
    version: process.env.VSCODE_VERSION ?? "1.103.2",
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, "out", "electron-suite", "index.js"),
    launchArgs: [workspace, "--disable-extensions", "--disable-workspace-trust", "--skip-welcome", "--skip-release-notes"],
    extensionTestsEnv: { AGENT_ETL_TEST_WORKSPACE: workspace },
  });
}

main().catch((err: unknown) => {
  // eslint-disable-next-line no-console -- a command-line entry point
  console.error(err);
  process.exit(1);
});
