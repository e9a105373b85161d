/**
 * Packages the YAML probe (fixtures/yaml-probe: a stand-in for Red Hat's YAML extension, which the
 * marketplace would give us but these machines cannot reach) as a .vsix in the test cache: its
 * client and Red Hat's yaml-language-server bundled with esbuild, as vscode-yaml bundles them.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";
import { ROOT } from "./paths";

const PROBE = join(__dirname, "fixtures", "yaml-probe");
const CACHE = process.env.AGENT_ETL_TEST_CACHE ?? join(homedir(), ".cache", "agent-etl-test");

/**
 * yaml-language-server imports vscode-json-languageservice's UMD build by path, whose requires a
 * bundler cannot follow; vscode-yaml's webpack config points it at the ESM build, and so do we.
 */
const umdToEsm: Plugin = {
  name: "json-languageservice-esm",
  setup(b) {
    b.onResolve({ filter: /^vscode-json-languageservice\/lib\/umd\// }, (args) =>
      b.resolve(args.path.replace("/lib/umd/", "/lib/esm/"), { kind: args.kind, resolveDir: args.resolveDir }));
  },
};

/** What the .vsix is made of: the probe's sources, this build, and the versions of the tools and server. */
function inputsHash(): string {
  const hash = createHash("sha256");
  for (const file of ["package.json", "README.md", join("src", "extension.ts")]) hash.update(readFileSync(join(PROBE, file)));
  hash.update(readFileSync(__filename));
  for (const pkg of ["yaml-language-server", "vscode-languageclient", "esbuild", "@vscode/vsce"]) hash.update(readFileSync(join(ROOT, "node_modules", pkg, "package.json")));
  return hash.digest("hex").slice(0, 16);
}

/** The probe's .vsix, built once per set of inputs into the test cache (outside the repo). */
export async function packageYamlProbe(): Promise<string> {
  const cached = join(CACHE, `yaml-probe-${inputsHash()}.vsix`);
  if (existsSync(cached)) return cached;
  const dir = mkdtempSync(join(tmpdir(), "agent-etl-yaml-probe-"));
  try {
    cpSync(join(PROBE, "package.json"), join(dir, "package.json"));
    cpSync(join(PROBE, "README.md"), join(dir, "README.md"));
    const node: BuildOptions = { bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "warning", mainFields: ["module", "main"] };
    await Promise.all([
      build({ ...node, entryPoints: [join(PROBE, "src", "extension.ts")], outfile: join(dir, "dist", "extension.js"), external: ["vscode"] }),
      build({ ...node, entryPoints: [join(ROOT, "node_modules", "yaml-language-server", "out", "server", "src", "server.js")], outfile: join(dir, "dist", "server.js"), plugins: [umdToEsm] }),
    ]);
    const out = join(dir, "yaml-probe.vsix");
    const vsce = spawnSync(process.execPath, [join(ROOT, "node_modules", "@vscode", "vsce", "vsce"), "package", "--no-dependencies", "--skip-license", "--allow-missing-repository", "--out", out], { cwd: dir, encoding: "utf8" });
    if (vsce.status !== 0) throw new Error(`packaging the YAML probe failed (${vsce.status}):\n${vsce.stdout}\n${vsce.stderr}`);
    // Copy beside the target, then rename: a concurrent run never sees half a file.
    mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.partial`;
    copyFileSync(out, partial);
    renameSync(partial, cached);
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scenario's files: one pipeline (a schema error, a semantic error) under three names. */
export const PROBE_FILES = {
  /** Ours: language `etl-pipeline`, so only our server should see it. */
  pipeline: "twice.etl.yaml",
  /** The same name pattern forced to language `yaml` (PROBE_SETTINGS): vscode-yaml gets it, with our `yamlValidation` schema. */
  asYaml: "twice-as-yaml.etl.yaml",
  /** A plain YAML file pointing at our schema with yaml-language-server's modeline. */
  modeline: "twice-modeline.yaml",
} as const;

export const PROBE_SETTINGS = { "files.associations": { [PROBE_FILES.asYaml]: "yaml" } };

export function writeProbeFiles(workspace: string): void {
  const text = readFileSync(join(PROBE, PROBE_FILES.pipeline), "utf8");
  writeFileSync(join(workspace, PROBE_FILES.pipeline), text);
  writeFileSync(join(workspace, PROBE_FILES.asYaml), text);
  const schema = pathToFileURL(join(ROOT, "schemas", "pipeline.schema.json")).href;
  writeFileSync(join(workspace, PROBE_FILES.modeline), `# yaml-language-server: $schema=${schema}\n${text}`);
}
