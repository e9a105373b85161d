/** The language server imports the analysis entry points eagerly: they must not load `pg` or the AWS SDK until a request needs them. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import type { Connection } from "../../../server/src/pipeline/model";
import { AnalysisCache, analyzeSource } from "../../../server/src/sources/analysis";

const heavy = () => Object.keys(require.cache).filter((k) => /node_modules\/(pg|pg-[a-z-]+|@aws-sdk\/[a-z-]+)\//.test(k));

it("loads no database or cloud SDK before a request of that type", async () => {
  new AnalysisCache({ dir: null });
  assert.deepEqual(heavy(), []);
  const dir = mkdtempSync(join(tmpdir(), "lazy-"));
  try {
    writeFileSync(join(dir, "a.csv"), "x\n1\n");
    const result = await analyzeSource({ connection: { type: "file" } as Connection, connectionName: "f", baseDir: dir, secrets: [] }, { kind: "data-columns", key: "a.csv" });
    assert.deepEqual(result.columns, [{ name: "x", type: "integer" }]);
    assert.deepEqual(heavy(), [], "a file analysis loads neither pg nor the AWS SDK");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
