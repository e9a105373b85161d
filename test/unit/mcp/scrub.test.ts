import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { scrubDeep } from "../../../server/src/mcp/toolKit";
import { realPathOf } from "../../../server/src/mcp/workspace";

describe("scrubDeep", () => {
  it("replaces secrets in every string, key and nesting level, and URL passwords", () => {
    const secret = "s3cr3t-value";
    const out = scrubDeep({ a: `x ${secret} y`, list: [{ deep: [secret] }], [`k-${secret}`]: 1, url: "postgres://u:pw@h/db", n: 3, none: null }, [secret]);
    const text = JSON.stringify(out);
    assert.ok(!text.includes(secret));
    assert.ok(!text.includes(":pw@"));
    assert.deepEqual((out as { n: number; none: null }).n, 3);
  });
});

describe("realPathOf", () => {
  it("resolves symlinks of the nearest existing folder for a path that does not exist yet", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "mcp-real-")));
    mkdirSync(join(dir, "target"));
    symlinkSync(join(dir, "target"), join(dir, "link"));
    assert.equal(realPathOf(join(dir, "link", "new", "file.etl.yaml")), join(dir, "target", "new", "file.etl.yaml"));
    assert.equal(realPathOf(join(dir, "link", "..", "x")), join(dir, "x"));
  });
});

describe("scrubDeep on clean results", () => {
  it("returns the value itself when nothing needs scrubbing, and still scrubs a secret JSON would escape", () => {
    const clean = { a: ["x", { b: "y" }] };
    assert.equal(scrubDeep(clean, ["s3cr3t"]), clean);
    const quoted = 'pa"ss\\word';
    assert.ok(!JSON.stringify(scrubDeep({ v: `before ${quoted} after` }, [quoted])).includes("ss\\\\word"));
  });
});
