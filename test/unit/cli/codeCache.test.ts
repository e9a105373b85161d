// The CLI's V8 code cache (cli/codeCache.ts): the same answers with the cache cold, warm, damaged,
// unwritable, in a folder others may write to, turned off, or with source maps on; a cache file per
// command, written once and then used as it is.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { codeCacheDir } from "../../../server/src/cli/codeCache";
import { VALID } from "../helpers";

const CLI = join(__dirname, "../../../dist/cli.js");
const QUICKSTART = join(__dirname, "../../../examples/quickstart/quickstart.etl.yaml");

const work = mkdtempSync(join(tmpdir(), "agent-etl-code-cache-"));
const valid = join(work, "valid.etl.yaml");
writeFileSync(valid, VALID);
const broken = join(work, "broken.etl.yaml");
writeFileSync(broken, VALID.replace("depends_on: [orders]", "depends_on: [ordrs]"));

/** Commands whose answers must not change: one per cache variant, errors and help included. */
const COMMANDS = [["--version"], ["validate", QUICKSTART], ["validate", broken], ["runs", valid, "--format", "json"], ["dag", QUICKSTART, "--format", "mermaid"], ["valdate"], ["runs", "--help"]];

interface Answer {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a user does: no NODE_OPTIONS (coverage runs would start the sources instead of
 * dist/cli.js), no V8 coverage (it changes what V8 compiles), a fixed cwd.
 */
function cli(args: string[], env: NodeJS.ProcessEnv): Answer {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: work, env: { PATH: process.env.PATH, HOME: work, LOG_FORMAT: "json", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function answers(env: NodeJS.ProcessEnv): Answer[] {
  return COMMANDS.map((args) => cli(args, env));
}

const reference = answers({ AGENT_ETL_NO_COMPILE_CACHE: "1" });

function cacheFiles(xdg: string): Map<string, number> {
  const dir = join(xdg, "agent-etl", "v8");
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).mtimeMs]));
}

describe("the CLI's code cache", () => {
  it("the reference answers are real ones", () => {
    assert.match(reference[0]?.stdout ?? "", /^\d+\.\d+\.\d+/);
    assert.equal(reference[1]?.code, 0, reference[1]?.stderr);
    assert.equal(reference[2]?.code, 1);
    assert.equal(reference[5]?.code, 2);
  });

  it("cold, then warm: the same answers; one file per command, written once and then used", () => {
    const xdg = mkdtempSync(join(tmpdir(), "agent-etl-xdg-"));
    assert.deepEqual(answers({ XDG_CACHE_HOME: xdg }), reference);
    const cold = cacheFiles(xdg);
    assert.deepEqual([...cold.keys()].map((n) => n.replace(/^cli-main-[0-9a-f]{8}-/, "")).sort(), ["dag.bin", "other.bin", "runs.bin", "validate.bin"]);
    assert.equal(statSync(join(xdg, "agent-etl", "v8")).mode & 0o777, 0o700);
    assert.deepEqual(answers({ XDG_CACHE_HOME: xdg }), reference);
    // Rewritten only when missing, stale or rejected by V8: unchanged means V8 took it.
    assert.deepEqual(cacheFiles(xdg), cold);
  });

  it("a damaged cache file is rejected by V8, not run, and written again", () => {
    const xdg = mkdtempSync(join(tmpdir(), "agent-etl-xdg-"));
    cli(["validate", QUICKSTART], { XDG_CACHE_HOME: xdg });
    const [name] = [...cacheFiles(xdg).keys()];
    assert.ok(name);
    const file = join(xdg, "agent-etl", "v8", name);
    const good = readFileSync(file);
    const stampEnd = good.indexOf("\n") + 1;
    const damaged = Buffer.concat([good.subarray(0, stampEnd), Buffer.alloc(good.length - stampEnd, 7)]);
    writeFileSync(file, damaged);
    assert.deepEqual(cli(["validate", QUICKSTART], { XDG_CACHE_HOME: xdg }), reference[1]);
    assert.ok(!readFileSync(file).equals(damaged), "the damaged cache was written again");
  });

  it("an unwritable cache folder: the same answers, nothing written", () => {
    // A file where the folder should be (root ignores permissions, so chmod would prove nothing).
    const xdg = join(mkdtempSync(join(tmpdir(), "agent-etl-xdg-")), "not-a-folder");
    writeFileSync(xdg, "");
    assert.deepEqual(answers({ XDG_CACHE_HOME: xdg }), reference);
    assert.equal(readFileSync(xdg, "utf8"), "");
  });

  it("a cache folder others may write to is not used", () => {
    const xdg = mkdtempSync(join(tmpdir(), "agent-etl-xdg-"));
    const dir = join(xdg, "agent-etl", "v8");
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    assert.deepEqual(answers({ XDG_CACHE_HOME: xdg }), reference);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("AGENT_ETL_NO_COMPILE_CACHE=1 and source maps turn it off", () => {
    for (const env of [{ AGENT_ETL_NO_COMPILE_CACHE: "1" }, { NODE_OPTIONS: "--enable-source-maps" }]) {
      const xdg = mkdtempSync(join(tmpdir(), "agent-etl-xdg-"));
      assert.deepEqual(answers({ XDG_CACHE_HOME: xdg, ...env }), reference);
      assert.deepEqual(readdirSync(xdg), [], JSON.stringify(env));
    }
  });

  it("the folder: XDG_CACHE_HOME when absolute, else ~/.cache; none when turned off", () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/var/cache/me" }), join("/var/cache/me", "agent-etl", "v8"));
    assert.match(codeCacheDir({ XDG_CACHE_HOME: "relative/dir" }) ?? "", /\.cache[/\\]agent-etl[/\\]v8$/);
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/x", AGENT_ETL_NO_COMPILE_CACHE: "1" }), undefined);
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/x", NODE_DISABLE_COMPILE_CACHE: "1" }), undefined);
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/x", AGENT_ETL_NO_COMPILE_CACHE: "0" }), join("/x", "agent-etl", "v8"));
  });
});
