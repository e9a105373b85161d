/**
 * Nothing from a pipeline file reaches the terminal as a raw control character: every command
 * (validate, dag, run, export, analyze, preview, generate), in every output format, on stdout and stderr,
 * is run by the built CLI over files holding ESC sequences, BEL, CR and C1 controls in ids, keys,
 * descriptions, paths and data. JSON output keeps the characters' meaning (escaped, not dropped).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { yaml } from "../helpers";

const CLI = join(__dirname, "../../../dist/cli.js");
// eslint-disable-next-line no-control-regex -- the characters under test
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const dir = mkdtempSync(join(tmpdir(), "agent-etl-controls-"));
mkdirSync(join(dir, "in\u001b[31m"));
writeFileSync(join(dir, "in\u001b[31m", "a\u0007.csv"), "id,na\u001b]0;title\u0007me\n1,x\n");

/** Errors everywhere: a bad step id, an unknown key holding ESC, a C1 CSI in depends_on (as YAML escapes). */
const BROKEN = yaml(
  "version: 1",
  "name: broken",
  "connections:",
  "  files: {type: file}",
  "steps:",
  '  - id: "bad\\e]0;pwned\\aid"',
  "    extract: {connection: files, path: a.csv}",
  "  - id: ok",
  '    "retr\\e[31mies": 1',
  '    depends_on: ["x\\u009by\\r"]',
  "    load: {connection: files, path: out.jsonl}",
);

/** Valid, with controls in its description, paths and names. */
const VALID = yaml(
  "version: 1",
  "name: valid_controls",
  'description: "clear \\e[2J and ring \\a"',
  "connections:",
  "  files: {type: file}",
  "steps:",
  "  - id: read",
  '    description: "carriage\\rreturn \\x9b31m"',
  '    extract: {connection: files, path: "in\\e[31m/*.csv"}',
  "  - id: save",
  "    depends_on: [read]",
  '    load: {connection: files, path: "out\\a.jsonl"}',
);

/** Raw control bytes in the file itself, which YAML refuses: the error names them without printing them. */
const RAW = VALID.replace("  - id: save", "  - id: sa\u001b[2Jve\u0007").replace("clear", "clear \u009b31m");

writeFileSync(join(dir, "broken.etl.yaml"), BROKEN);
writeFileSync(join(dir, "raw.etl.yaml"), RAW);
writeFileSync(join(dir, "valid.etl.yaml"), VALID);

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { PATH: process.env.PATH, LOG_FORMAT: "pretty", XDG_CACHE_HOME: join(dir, "cache"), ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}) };
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: dir, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS: string[][] = [
  ["validate"],
  ["validate", "--format", "json"],
  ["dag"],
  ["dag", "--format", "json"],
  ["dag", "--format", "mermaid"],
  ["dag", "--format", "dot"],
  ["run", "--dry-run"],
  ["export", "airflow", "-o", "-"],
  ["analyze"],
  ["analyze", "--format", "json"],
  ["preview", "--step", "save"],
  ["preview", "--step", "save", "--format", "json"],
];

describe("no raw control character reaches the terminal", () => {
  for (const file of ["broken.etl.yaml", "raw.etl.yaml", "valid.etl.yaml"]) {
    for (const command of COMMANDS) {
      const args = [...command.slice(0, command[0] === "export" ? 2 : 1), file, ...command.slice(command[0] === "export" ? 2 : 1)];
      it(`${args.join(" ")}`, () => {
        const r = cli(args);
        assert.ok(r.stdout !== "" || r.stderr !== "", "the command printed something");
        assert.doesNotMatch(r.stdout, RAW_CONTROL, `stdout: ${JSON.stringify(r.stdout)}`);
        assert.doesNotMatch(r.stderr, RAW_CONTROL, `stderr: ${JSON.stringify(r.stderr)}`);
      });
    }
  }

  it("generate from a folder whose file and column names hold controls: the YAML keeps them, escaped", () => {
    const r = cli(["generate", "--from", join(dir, "in\u001b[31m")]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
    writeFileSync(join(dir, "generated.etl.yaml"), r.stdout);
    const back = cli(["dag", "generated.etl.yaml", "--format", "json"]);
    assert.equal(back.code, 0, back.stderr);
  });

  it("JSON output escapes the characters without changing the data", () => {
    const r = cli(["validate", "broken.etl.yaml", "--format", "json"]);
    const diagnostics = JSON.parse(r.stdout) as { message: string }[];
    const messages = diagnostics.map((d) => d.message).join("\n");
    assert.match(messages, /\u009b/, "the C1 control is still in the data");
    assert.match(r.stdout, /\\u009b/);
  });
});
