/**
 * Every pipeline written in the README and docs validates, and the README's "pipeline in brief"
 * runs: from CSV files the test writes, through its cast and filter, into a real PostgreSQL.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { validatePipeline } from "../../../server/src/pipeline/validate";
import { compileTransforms, type Batches } from "../../../server/src/runner/transforms";
import { postgresProject, ROOT, runCli } from "./helpers";

interface Snippet {
  file: string;
  line: number;
  text: string;
}

/** The fenced ```yaml blocks of a Markdown file that are whole pipelines (they have `version:` and `steps:`). */
function pipelineSnippets(file: string): Snippet[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const out: Snippet[] = [];
  const fence = /^```ya?ml[^\n]*\n([\s\S]*?)^```/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const body = m[1] ?? "";
    if (/^version:/m.test(body) && /^steps:/m.test(body)) out.push({ file, line: text.slice(0, m.index).split("\n").length + 1, text: body });
  }
  return out;
}

const DOCS = ["README.md", "client/README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const SNIPPETS = DOCS.flatMap(pipelineSnippets);
const BRIEF = SNIPPETS.find((s) => s.file === "README.md" && /name: orders_daily/.test(s.text));

const DB = "docs_brief";
const cluster = postgresProject("docs-brief", DB);

/** Orders with every case the brief's filter decides: paid or not, amount above, at or below 0, empty. */
const MONTHS: Record<string, string[]> = {
  "orders_2024-01.csv": ["1,paid,10.50,2024-01-03T10:00:00Z", "2,paid,0,2024-01-04T11:00:00Z", "3,open,99.99,2024-01-05T12:00:00Z", "4,paid,123456789012345678.91,2024-01-06 13:00:00Z"],
  "orders_2024-02.csv": ["5,paid,-1.50,2024-02-01T09:00:00Z", "6,paid,,2024-02-02T09:30:00Z", "7,refunded,5,2024-02-03T10:00:00Z", "8,paid,0.01,2024-02-04T08:15:00Z"],
};

describe("pipelines in the README and docs", () => {
  it("there is at least the README's pipeline in brief, and every one validates with no error or warning", () => {
    assert.ok(BRIEF, `no \`name: orders_daily\` pipeline among the snippets of ${DOCS.join(", ")}`);
    for (const s of SNIPPETS) {
      const envNames = new Set([...s.text.matchAll(/\$\{env:([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string));
      const problems = validatePipeline(s.text, { envNames }).problems.filter((p) => p.severity === "error" || p.severity === "warning");
      assert.deepEqual(problems.map((p) => `${p.code}: ${p.message}`), [], `${s.file}:${s.line}`);
    }
  });

  it("the spec's example expressions evaluate on a record whose amount is a cast decimal", async () => {
    const spec = readFileSync(join(ROOT, "docs", "pipeline-spec.md"), "utf8");
    const sentence = /Expressions are JSONata \(([^)]*\)[^)]*)\)/.exec(spec)?.[1] ?? "";
    const examples = [...sentence.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    assert.deepEqual(examples, ["amount > 0", "amount * 100", "$uppercase(country)"], "the examples the spec names");
    const derive = Object.fromEntries(examples.map((e, i) => [`e${i}`, e]));
    const compiled = compileTransforms([{ cast: { amount: "decimal" } }, { derive }], { columns: undefined, openUpstream: () => Promise.reject(new Error("no join")) });
    async function* input(): Batches {
      yield [{ amount: "12.50", country: "fi" }];
    }
    const out = [];
    for await (const batch of compiled.stage(input())) out.push(...batch);
    assert.deepEqual(out, [{ amount: "12.50", country: "fi", e0: true, e1: 1250, e2: "FI" }]);
  });

  it("the pipeline in brief runs: the paid orders with an amount above 0 reach the warehouse, exactly", async () => {
    const { p, server } = { p: cluster.p, server: cluster.server };
    const file = p.write("orders.etl.yaml", BRIEF?.text ?? "");
    for (const [name, rows] of Object.entries(MONTHS)) p.write(`data/${name}`, `order_id,status,amount,ordered_at\n${rows.join("\n")}\n`);
    await server.query("CREATE SCHEMA sales", [], DB);
    const r = await runCli(["run", file], { cwd: p.dir, env: { WAREHOUSE_URL: cluster.url } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Computed from the test's own rows, not from the runner.
    const expected = Object.values(MONTHS)
      .flat()
      .map((line) => line.split(","))
      .filter(([, status, amount]) => status === "paid" && amount !== "" && Number(amount) > 0)
      .map(([id, , amount]) => ({ order_id: id, amount }));
    const loaded = await server.query<{ order_id: string; amount: string }>("SELECT order_id::text, amount::text FROM sales.orders ORDER BY order_id::int", [], DB);
    assert.deepEqual(loaded, expected);
    assert.ok(expected.some((row) => row.amount === "123456789012345678.91"), "a decimal beyond a double's digits is kept exactly");
  });
});
