// Issue 2: `validate` and `dag` in process (parse → diagnostics) on generated pipelines of 100,
// 1,000 and 10,000 steps. Time should grow linearly: µs per step stays flat.
import { parseDocument } from "yaml";
import { buildDag } from "../server/src/dag/graph";
import { renderDag } from "../server/src/dag/render";
import { buildOutline } from "../server/src/pipeline/outline";
import { validatePipeline } from "../server/src/pipeline/validate";
import { generatePipeline, table, timeMedian } from "./_util";

export async function run(): Promise<void> {
  const sizes = [100, 1000, 10000];
  const rows: (string | number)[][] = [];
  const perStep = new Map<number, number>();
  const context = { envNames: new Set(["WAREHOUSE_URL"]) };
  for (const n of sizes) {
    const text = generatePipeline(n);
    const runs = n >= 10000 ? 5 : n >= 1000 ? 15 : 50;
    let problems = -1;
    const yamlOnly = timeMedian(() => parseDocument(text), runs);
    const validate = timeMedian(() => {
      problems = validatePipeline(text, context).problems.length;
    }, runs);
    const dag = timeMedian(() => renderDag(buildDag(buildOutline(parseDocument(text))), "json"), runs);
    if (problems !== 0) throw new Error(`generated pipeline of ${n} steps has ${problems} problems`);
    perStep.set(n, (validate * 1000) / n);
    rows.push([n, text.split("\n").length, yamlOnly.toFixed(1), validate.toFixed(1), ((validate * 1000) / n).toFixed(1), (validate / yamlOnly).toFixed(2), dag.toFixed(1), ((dag * 1000) / n).toFixed(1)]);
  }
  table(["steps", "lines", "yaml parse ms (baseline)", "validate ms", "validate µs/step", "validate ÷ parse", "dag ms", "dag µs/step"], rows);
  const growth = (perStep.get(10000) ?? 0) / (perStep.get(1000) ?? 1);
  console.log(`\nper-step time at 10,000 steps ÷ at 1,000 steps: ${growth.toFixed(2)} (target ≤ 1.5: linear growth) ${growth <= 1.5 ? "✓" : "✗"}`);
}
