import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { VALID } from "../helpers";

const CLI = join(__dirname, "../../../dist/cli.js");

function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  // A clean environment (so missing-env is predictable), keeping what coverage collection needs.
  const base = { PATH: process.env.PATH, ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}) };
  const r = spawnSync(process.execPath, ["--enable-source-maps", CLI, ...args], { encoding: "utf8", env: { ...base, LOG_FORMAT: "json", ...env }, ...(cwd ? { cwd } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "agent-etl-cli-"));
const valid = join(dir, "valid.etl.yaml");
writeFileSync(valid, VALID);
const broken = join(dir, "broken.etl.yaml");
writeFileSync(broken, VALID.replace("depends_on: [orders]", "depends_on: [ordrs]").replace("  - id: paid\n", "  - id: paid\n    retires: 1\n"));
const binary = join(dir, "image.etl.yaml");
writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));

describe("agent-etl validate", () => {
  it("a valid file: exit 0 and a summary", () => {
    const r = cli(["validate", valid]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "✓ 1 file valid");
  });

  it("errors: compiler-style lines, a summary, exit 1", () => {
    const r = cli(["validate", broken, valid]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual(lines, [
      `${broken}:15:5: error [schema] \`retires\` is not a step key — did you mean \`retries\`?`,
      `${broken}:16:18: error [unknown-step] \`depends_on\` names \`ordrs\`, but no step has that id — did you mean \`orders\`?`,
      "✖ 2 errors, 0 warnings in 2 files",
    ]);
  });

  it("--format json: the spec's fields with 1-based positions", () => {
    const r = cli(["validate", "--format", "json", broken]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as unknown[];
    assert.deepEqual(out[1], { file: broken, line: 16, column: 18, endLine: 16, endColumn: 23, severity: "error", code: "unknown-step", message: "`depends_on` names `ordrs`, but no step has that id — did you mean `orders`?" });
  });

  it("reads .env beside the file for missing-env", () => {
    const envDir = mkdtempSync(join(tmpdir(), "agent-etl-env-"));
    const file = join(envDir, "p.etl.yaml");
    writeFileSync(file, VALID.replace("    type: file\n    root: ./data", "    type: postgres\n    url: ${env:MY_DB_URL}").replace("      path: orders.csv", "      table: orders"));
    const without = cli(["validate", "--format", "json", file], {}, envDir);
    assert.deepEqual((JSON.parse(without.stdout) as { code: string }[]).map((d) => d.code), ["missing-env"]);
    writeFileSync(join(envDir, ".env"), "MY_DB_URL=postgres://localhost/db\n");
    assert.deepEqual(JSON.parse(cli(["validate", "--format", "json", file], {}, envDir).stdout), []);
  });

  it("aliases yaml cannot resolve and a NUL anywhere are diagnostics with positions: exit 1, no crash", () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ["undefined-alias", VALID.replace("    root: ./data", "    root: *nope"), /:6:11: error \[yaml-syntax\] undefined alias `\*nope`/],
      ["scalar-merge", "s: &s hello\n" + VALID.replace("    root: ./data", "    <<: *s"), /:7:9: error \[yaml-syntax\] a merge key `<<` takes a map/],
      ["late-nul", Buffer.concat([Buffer.from(`# ${"x".repeat(9000)}\n` + VALID.replace("name: orders_daily", "name: orders")), Buffer.from([0]), Buffer.from("\n")]), /:25:1: error \[yaml-syntax\] the file holds a NUL character/],
    ];
    for (const [name, content, pattern] of cases) {
      const file = join(dir, `${name}.etl.yaml`);
      writeFileSync(file, content);
      const r = cli(["validate", file]);
      assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, pattern, name);
      assert.doesNotMatch(r.stdout + r.stderr, /internal error|\n\s+at /, name);
    }
  });

  it("one YAML mistake is one error line with its hint, not the cascade after it: exit 1", () => {
    const cases: [string, string, RegExp][] = [
      ["tab", VALID.replace("    root: ./data", "\troot: ./data"), /:6:1: error \[yaml-syntax\] this line is indented with a tab; YAML allows only spaces/],
      ["flow-template", VALID.replace("  raw:\n    type: file\n    root: ./data", "  raw: {type: file, root: ${env:DATA}}"), /:4:27: error \[yaml-syntax\] quote a value that starts with `\$\{` inside `\{…\}`: write `"\$\{env:DATA\}"`/],
      ["misaligned", VALID.replace("      path: paid.jsonl", "     path: paid.jsonl"), /:23:6: error \[yaml-syntax\] bad indentation: `path` starts at column 6, but `connection` on line 22 starts at column 7; indent it to column 7/],
      ["unclosed", VALID.replace("depends_on: [orders]", "depends_on: [orders"), /:15:17: error \[yaml-syntax\] this `\[` list is not closed/],
    ];
    for (const [name, content, pattern] of cases) {
      const file = join(dir, `${name}.etl.yaml`);
      writeFileSync(file, content);
      const r = cli(["validate", file]);
      assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      const lines = r.stdout.trim().split("\n");
      assert.equal(lines.length, 2, `${name}: ${r.stdout}`);
      assert.match(lines[0] ?? "", pattern, name);
      assert.equal(lines[1], "✖ 1 error, 0 warnings in 1 file");
    }
  });

  it("bad usage: one clear line on stderr, exit 2, no stack trace", () => {
    const cases: [string[], RegExp][] = [
      [["validate"], /^agent-etl: validate: give at least one pipeline file \(see agent-etl validate --help\)$/],
      [["validate", "--frmat", "json", valid], /^agent-etl: validate: unknown option '--frmat'/],
      [["validate", "--format", "xml", valid], /^agent-etl: validate: --format: unknown format "xml"; use text, json/],
      [["validate", join(dir, "missing.etl.yaml")], /: no such file$/],
      [["validate", dir], /is a directory; give a pipeline file/],
      [["validate", binary], /is a binary file, not a YAML pipeline$/],
      [["dag", valid, valid], /^agent-etl: dag: give exactly one pipeline file/],
      [["frobnicate"], /^agent-etl: unknown command `frobnicate`; commands: validate, dag/],
      [["valdate", valid], /^agent-etl: unknown command `valdate` — did you mean `validate`\?; commands: validate, dag/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr.trim(), pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it("non-UTF-8 text: a diagnostic, exit 1", () => {
    const latin1 = join(dir, "latin1.etl.yaml");
    writeFileSync(latin1, Buffer.concat([Buffer.from("version: 1\nname: caf"), Buffer.from([0xe9]), Buffer.from("\nsteps: []\n")]));
    const r = cli(["validate", latin1]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /:2:10: error \[yaml-syntax\] the file is not valid UTF-8 text/);
  });

  it("--help for every command and --version", () => {
    for (const c of ["validate", "dag", "preview"]) {
      const r = cli([c, "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: agent-etl ${c} `));
    }
    assert.match(cli(["--help"]).stdout, /Commands:\n {2}validate/);
    assert.match(cli(["--version"]).stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  it("LOG_LEVEL=debug writes JSON log lines to stderr", () => {
    const r = cli(["validate", valid], { LOG_LEVEL: "debug" });
    const line = JSON.parse(r.stderr.trim().split("\n")[0] ?? "{}") as Record<string, unknown>;
    assert.equal(line.msg, "validated");
    assert.equal(line.file, valid);
    assert.equal(typeof line.durationMs, "number");
  });
});

describe("agent-etl dag", () => {
  it("every format", () => {
    assert.match(cli(["dag", valid]).stdout, /^orders_daily: 3 steps/);
    const json = JSON.parse(cli(["dag", valid, "--format", "json"]).stdout) as { levels: string[][] };
    assert.deepEqual(json.levels, [["orders"], ["paid"], ["save"]]);
    assert.match(cli(["dag", valid, "--format", "mermaid"]).stdout, /^flowchart LR/);
    assert.match(cli(["dag", valid, "--format", "dot"]).stdout, /^digraph "orders_daily" \{/);
  });

  it("a cycle: errors on stderr, no DAG, exit 1", () => {
    const cyclic = join(dir, "cyclic.etl.yaml");
    writeFileSync(cyclic, VALID.replace("  - id: orders\n    extract:", "  - id: orders\n    depends_on: [save]\n    extract:"));
    const r = cli(["dag", cyclic]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /\[cycle\] steps depend on each other in a cycle: orders → paid → save → orders/);
  });
});
