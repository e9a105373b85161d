/**
 * Golden files: the exact DAG for every example and for our hostile-value pipelines, compared byte
 * for byte. After a deliberate change of the generator, rewrite them with
 *   UPDATE_GOLDEN=1 node --import tsx --test test/unit/airflow/golden.test.ts
 * and review the diff like code.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { generateAirflowDag } from "../../../server/src/airflow/generate";
import { validatePipeline } from "../../../server/src/pipeline/validate";

const ROOT = resolve(__dirname, "..", "..", "..");
const GOLDEN = join(ROOT, "test", "golden", "airflow");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function pipelines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name.startsWith(".") ? [] : pipelines(join(dir, e.name));
    return /\.etl\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [];
  });
}

/** Where a pipeline's golden file lives: beside our own inputs, under examples/ for the examples. */
function goldenPath(file: string): string {
  const rel = relative(ROOT, file).split("\\").join("/");
  const py = rel.replace(/\.etl\.ya?ml$/, ".py");
  return rel.startsWith("examples/") ? join(GOLDEN, py) : join(ROOT, py);
}

describe("golden Airflow DAGs", () => {
  const files = [...pipelines(GOLDEN), ...pipelines(join(ROOT, "examples"))].sort();
  it("has pipelines to compare", () => assert.ok(files.length >= 2));
  for (const file of files) {
    it(relative(ROOT, file), () => {
      const source = relative(ROOT, file).split("\\").join("/");
      const { pipeline, dag, problems } = validatePipeline(readFileSync(file, "utf8"));
      assert.ok(pipeline, `${source} has errors: ${JSON.stringify(problems.filter((p) => p.severity === "error"))}`);
      const result = generateAirflowDag(pipeline, dag, { source, pipelinePath: `/opt/airflow/pipelines/${source}`, cli: ["agent-etl"] });
      assert.ok(result.ok, JSON.stringify(result));
      const golden = goldenPath(file);
      if (UPDATE) {
        mkdirSync(dirname(golden), { recursive: true });
        writeFileSync(golden, result.value.code);
      }
      assert.ok(existsSync(golden), `no golden file ${relative(ROOT, golden)}; write it with UPDATE_GOLDEN=1 and review it`);
      assert.equal(result.value.code, readFileSync(golden, "utf8"), `${relative(ROOT, golden)} differs; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`);
    });
  }
});
