/**
 * The npm package as a user gets it: `npm pack`, then the README's Install snippets run as written
 * (a global install into a temporary prefix, offline, with an empty npm cache and home), then the
 * installed `agent-etl mcp` spoken to by the MCP SDK's Client. It proves the tarball holds only
 * runtime files and needs nothing from the registry: the bundles carry every library.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { parse } from "csv-parse/sync";

const ROOT = join(__dirname, "..", "..", "..");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string; version: string; private?: boolean; bin?: Record<string, string>; files?: string[];
  dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>;
};

interface Packed {
  filename: string;
  files: { path: string; size: number }[];
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** The ```sh blocks of the README's "## Install" section, in order. */
function installSnippets(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Install\n");
  assert.ok(start >= 0, "README has an Install section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** Orders per country the quickstart must write, worked out from its own inputs (paid orders of known customers). */
function expectedOrdersByCountry(dir: string): Record<string, number> {
  const customers = new Map((parse(readFileSync(join(dir, "data", "customers.csv"), "utf8"), { columns: true }) as { id: string; country: string }[]).map((c) => [Number(c.id), c.country]));
  const orders = JSON.parse(readFileSync(join(dir, "data", "orders.json"), "utf8")) as { customer_id: string; status: string }[];
  const out: Record<string, number> = {};
  for (const o of orders) {
    const country = customers.get(Number(o.customer_id));
    if (o.status === "paid" && country) out[country] = (out[country] ?? 0) + 1;
  }
  return out;
}

describe("the npm package, installed as the README says", { timeout: 5 * 60_000 }, () => {
  let tmp: string;
  let work: string;
  let prefix: string;
  let packed: Packed;
  /** A clean machine: empty home and npm cache, no registry (offline), only the prefix and node on PATH. */
  let env: NodeJS.ProcessEnv;

  before(() => {
    // `npm test` has just built dist/; build it if run otherwise (prepack would build it for a release).
    if (!existsSync(join(ROOT, "dist", "cli.js"))) run(process.execPath, ["esbuild.mjs"], { cwd: ROOT });
    tmp = mkdtempSync(join(tmpdir(), "agent-etl-pack-"));
    work = join(tmp, "work");
    prefix = join(tmp, "prefix");
    mkdirSync(work);
    mkdirSync(join(tmp, "home"));
    const out = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: "false" } });
    packed = (JSON.parse(out.stdout) as Packed[])[0] as Packed;
    copyFileSync(join(tmp, packed.filename), join(work, packed.filename));
    env = {
      HOME: join(tmp, "home"),
      PATH: [join(prefix, "bin"), dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter),
      npm_config_prefix: prefix,
      npm_config_cache: join(tmp, "npm-cache"),
      npm_config_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
    };
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("packs the bundles, schemas, format reference, examples and licence: no sources, tests, maps or dependencies but DuckDB's optional bindings", () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "dist/cli.js", "dist/cli-main.js", "dist/aws-sdk.js", "dist/zstd.wasm", "schemas/pipeline.schema.json", "docs/pipeline-spec.md", "examples/quickstart/quickstart.etl.yaml", "examples/quickstart/data/orders.json"]) {
      assert.ok(paths.includes(needed), `${needed} is in the package: ${paths.join(", ")}`);
    }
    const stray = paths.filter((p) => /\.map$|\.ts$|^(server|client|test|scripts|bench|node_modules|\.github|\.ci)\/|(^|\/)(out|\.etl)\//.test(p));
    assert.deepEqual(stray, [], "only what runs");
    assert.equal(packed.filename, `${manifest.name}-${manifest.version}.tgz`);
    assert.notEqual(manifest.private, true, "npm refuses to publish a private package");
    assert.deepEqual({ ...manifest.dependencies, ...manifest.peerDependencies }, {}, "the bundles carry every library: nothing to install");
    // The one exception: DuckDB's bindings are a native module, installed when the platform has a
    // build and loaded only by a `duckdb` connection.
    assert.deepEqual(Object.keys(manifest.optionalDependencies ?? {}), ["@duckdb/node-api"], "only DuckDB's native bindings are optional");
    assert.deepEqual(manifest.bin, { "agent-etl": "dist/cli.js" });
    assert.match(readFileSync(join(ROOT, "dist", "cli.js"), "utf8").slice(0, 30), /^#!\/usr\/bin\/env node\n/);
  });

  it("runs the README's Install snippets: an offline global install, --version, validate, the quickstart's run, npx", () => {
    const snippets = installSnippets();
    assert.equal(snippets.length, 2, "the install and the npx snippet");
    for (const s of snippets) assert.ok(s.includes(`./${packed.filename}`), `the README names this version's tarball, ${packed.filename}:\n${s}`);
    const [install, npx] = snippets.map((s) => run("bash", ["-euo", "pipefail", "-c", s], { cwd: work, env })) as [{ stdout: string; stderr: string }, { stdout: string; stderr: string }];
    assert.ok(existsSync(join(prefix, "bin", "agent-etl")), "agent-etl is on the prefix's PATH");
    assert.ok(!existsSync(join(prefix, "lib", "node_modules", manifest.name, "node_modules")), "nothing was installed beside it");
    assert.match(install.stdout, new RegExp(`^${manifest.version.replace(/\./g, "\\.")}$`, "m"), "agent-etl --version");
    assert.match(install.stdout, /✓ 1 file valid/);
    assert.match(install.stdout, /run \S+ succeeded: 8 steps/);
    const dir = join(work, "quickstart");
    const written = parse(readFileSync(join(dir, "out", "revenue_by_country.csv"), "utf8"), { columns: true }) as { country: string; orders: string }[];
    assert.deepEqual(Object.fromEntries(written.map((r) => [r.country, Number(r.orders)])), expectedOrdersByCountry(dir));
    assert.equal(npx.stdout.trim(), manifest.version, "npx runs the tarball's agent-etl");
    // The CLI's code cache (cli/codeCache.ts) is the user's, never written into the package folder.
    assert.ok(readdirSync(join(env.HOME as string, ".cache", "agent-etl", "v8")).some((n) => n.endsWith(".bin")), "the code cache is in ~/.cache/agent-etl/v8");
    const installedDist = readdirSync(join(prefix, "lib", "node_modules", manifest.name, "dist")).sort();
    assert.deepEqual(installedDist, packed.files.map((f) => f.path).filter((p) => p.startsWith("dist/")).map((p) => p.slice(5)).sort(), "nothing was written beside the bundles");
  });

  it("the installed `agent-etl mcp` answers initialize over stdio and serves the format reference from the package", async () => {
    const bin = join(prefix, "bin", "agent-etl");
    assert.ok(existsSync(bin), "installed by the previous test");
    const transport = new StdioClientTransport({ command: bin, args: ["mcp"], cwd: work, env: env as Record<string, string>, stderr: "pipe" });
    let stderr = "";
    transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: "agent-etl-install-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      assert.equal(client.getServerVersion()?.version, manifest.version, stderr);
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(tools.includes("validate") && tools.includes("run"), tools.join(", "));
      const spec = await client.readResource({ uri: "agent-etl://docs/pipeline-spec.md" });
      assert.equal((spec.contents[0] as { text?: string }).text, readFileSync(join(ROOT, "docs", "pipeline-spec.md"), "utf8"));
    } finally {
      await client.close();
    }
  });
});
