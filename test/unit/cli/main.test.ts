import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import type { Io } from "../../../server/src/cli/command";
import { main } from "../../../server/src/cli/main";
import { VALID } from "../helpers";

function capture(env: NodeJS.ProcessEnv = {}): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), logger: pino({ level: "silent" }), env, cwd: tmpdir() };
  return { io, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "agent-etl-main-"));
const valid = join(dir, "valid.etl.yaml");
writeFileSync(valid, VALID);
const warn = join(dir, "warn.etl.yaml");
writeFileSync(warn, VALID.replace("connections:\n", "connections:\n  spare: {type: file}\n"));

describe("cli main (in process)", () => {
  it("validate: warnings and hints do not fail; related notes are printed", async () => {
    const c = capture();
    assert.equal(await main(["validate", warn], c.io), 0);
    assert.match(c.out.join("\n"), /hint \[unused-connection\] connection `spare`/);
    assert.match(c.out.join("\n"), /✓ 0 errors, 0 warnings, 1 hint in 1 file/);
    const dup = join(dir, "dup.etl.yaml");
    writeFileSync(dup, VALID.replace("  - id: save", "  - id: orders"));
    const d = capture();
    assert.equal(await main(["validate", dup], d.io), 1);
    assert.match(d.out.join("\n"), /:10:9: note: `orders` is first defined here/);
  });

  it("validate --format json is a list even when empty", async () => {
    const c = capture();
    assert.equal(await main(["validate", "--format=json", valid], c.io), 0);
    assert.deepEqual(JSON.parse(c.out.join("")), []);
  });

  it("dag in each format", async () => {
    for (const [format, pattern] of [
      ["text", /^orders_daily: 3 steps/],
      ["json", /"levels"/],
      ["mermaid", /^flowchart LR/],
      ["dot", /^digraph/],
    ] as const) {
      const c = capture();
      assert.equal(await main(["dag", valid, "--format", format], c.io), 0);
      assert.match(c.out.join("\n"), pattern);
    }
  });

  it("usage errors and help", async () => {
    const none = capture();
    assert.equal(await main([], none.io), 2);
    assert.match(none.out.join(""), /Usage: agent-etl <command>/);
    const help = capture();
    assert.equal(await main(["help"], help.io), 0);
    const cmdHelp = capture();
    assert.equal(await main(["dag", "-h"], cmdHelp.io), 0);
    assert.match(cmdHelp.out.join(""), /--format text\|json\|mermaid\|dot/);
    const version = capture();
    assert.equal(await main(["-V"], version.io), 0);
    const bad = capture();
    assert.equal(await main(["dag", "--format", "png", valid], bad.io), 2);
    assert.equal(bad.err.length, 1);
    assert.match(bad.err[0] ?? "", /unknown format "png"; use text, json, mermaid, dot \(see agent-etl dag --help\)$/);
    const unknown = capture();
    assert.equal(await main(["vaildate", valid], unknown.io), 2);
    assert.match(unknown.err[0] ?? "", /unknown command `vaildate`/);
  });

  it("an internal error is reported in one line, exit 1", async () => {
    const c = capture();
    c.io.stdout = () => {
      throw new Error("stdout closed");
    };
    assert.equal(await main(["validate", valid], c.io), 1);
    assert.match(c.err.join(""), /internal error: stdout closed/);
  });
});
