/** Packages the agent probe (fixtures/agent-probe, a stand-in for Copilot's agent mode) as a .vsix in a temp folder. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./paths";

const PROBE = join(__dirname, "fixtures", "agent-probe");

/** The results file the probe writes in the workspace. */
export const AGENT_PROBE_RESULTS = "agent-probe.json";

export async function packageAgentProbe(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-agent-probe-"));
  cpSync(join(PROBE, "package.json"), join(dir, "package.json"));
  cpSync(join(PROBE, "README.md"), join(dir, "README.md"));
  await build({ bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "warning", entryPoints: [join(PROBE, "src", "extension.ts")], outfile: join(dir, "dist", "extension.js"), external: ["vscode"] });
  const out = join(dir, "agent-probe.vsix");
  const vsce = spawnSync(process.execPath, [join(ROOT, "node_modules", "@vscode", "vsce", "vsce"), "package", "--no-dependencies", "--skip-license", "--allow-missing-repository", "--out", out], { cwd: dir, encoding: "utf8" });
  if (vsce.status !== 0) throw new Error(`packaging the agent probe failed (${vsce.status}):\n${vsce.stdout}\n${vsce.stderr}`);
  return out;
}
