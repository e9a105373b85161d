import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const ROOT = join(__dirname, "..", "..", "..");

describe("the @vscode/test-electron suite (run on GitHub's runners)", () => {
  it("bundles, with vscode and mocha left to the extension host", () => {
    const out = join(ROOT, "out", "electron-suite", "index.js");
    rmSync(out, { force: true });
    const r = spawnSync(process.execPath, [join(ROOT, "client", "src", "test", "build.mjs")], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out));
    const code = readFileSync(out, "utf8");
    assert.match(code, /require\("vscode"\)/);
    assert.match(code, /require\("mocha"\)/);
    assert.match(code, /exports to Airflow with the workers. command and pipeline path/);
  });
});
