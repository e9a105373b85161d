/** Builds the bundles and packages the extension as a .vsix, as a user would install it. */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths";

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function packageVsix(): string {
  run(process.execPath, ["esbuild.mjs"]);
  const out = join(mkdtempSync(join(tmpdir(), "agent-etl-vsix-")), "agent-etl.vsix");
  run(process.execPath, [join(ROOT, "node_modules", "@vscode", "vsce", "vsce"), "package", "--no-dependencies", "--readme-path", "client/README.md", "--skip-license", "--allow-missing-repository", "--out", out]);
  return out;
}
