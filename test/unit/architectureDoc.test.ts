/** docs/architecture.md stays true: every source path it names exists (`<type>` stands for each registered connector). */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CONNECTORS } from "../../server/src/sources/registry";

const ROOT = join(__dirname, "..", "..");
const DOC = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");

/** Paths under server/src, client/src and test/ as the document writes them (folders end with `/`). */
const PATHS = [...new Set([...DOC.matchAll(/(?<![\w/.-])((?:server|client)\/src(?:\/[\w.<>-]+)*\/?|test\/[\w./<>-]+)/g)].map((m) => (m[1] as string).replace(/[.]$/, "")))];

describe("docs/architecture.md", () => {
  it("names source paths", () => {
    assert.ok(PATHS.length > 40, `found ${PATHS.length} paths`);
    assert.ok(PATHS.includes("server/src/sources/registry.ts"));
  });

  it("names only paths that exist", () => {
    const missing = PATHS.flatMap((path) => (path.includes("<type>") ? CONNECTORS.map((d) => path.replace(/<type>/g, d.type)) : [path])).filter((path) => !existsSync(join(ROOT, path)));
    assert.deepEqual(missing, [], "docs/architecture.md names paths that do not exist: fix the document or the path");
  });
});
