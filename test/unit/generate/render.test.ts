import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import { parse } from "yaml";
import { GeneratedInvalidError, generatePipeline, renderChecked } from "../../../server/src/generate";
import { groupDatasets } from "../../../server/src/sources/datasets";
import { analyzeEndpoint, endpointSteps } from "../../../server/src/generate/endpointPlan";
import { parseLocation } from "../../../server/src/generate/location";
import type { PipelinePlan } from "../../../server/src/generate/plan";

const plan = (steps: PipelinePlan["steps"]): PipelinePlan => ({
  name: "demo",
  description: "a: b # not a comment",
  header: ["Generated for a test"],
  connections: { source: { value: { type: "file", root: "in" }, comment: ["where it comes from"] }, target: { value: { type: "file", root: "./out" } } },
  steps,
});

describe("generated YAML", () => {
  it("renders comments on the nodes they explain and quotes what YAML needs", () => {
    const result = renderChecked(
      plan([
        { id: "extract_x", kind: "extract", body: { connection: "source", path: "#odd: name*.csv", format: "csv" }, comment: ["why this step"] },
        { id: "load_x", kind: "load", depends_on: ["extract_x"], body: { connection: "target", path: "x.jsonl", format: "jsonl" }, keyComments: { format: ["why jsonl"] } },
      ]),
      [],
      [],
    );
    assert.match(result.text, /^# Generated for a test\n/);
    assert.match(result.text, / {2}# where it comes from\n {2}source:/);
    assert.match(result.text, / {2}# why this step\n {2}- id: extract_x/);
    assert.match(result.text, / {6}# why jsonl\n {6}format: jsonl/);
    assert.match(result.text, /depends_on: \[extract_x\]/);
    const data = parse(result.text) as { description: string; steps: { extract?: { path: string } }[] };
    assert.equal(data.description, "a: b # not a comment");
    assert.equal(data.steps[0]?.extract?.path, "#odd: name*.csv");
  });

  it("refuses to hand out a file with errors (a generator bug) and names the problems", () => {
    assert.throws(
      () => renderChecked(plan([{ id: "load_x", kind: "load", body: { connection: "nowhere", path: "x.jsonl" } }]), [], []),
      (err: unknown) => err instanceof GeneratedInvalidError && err.code === "generate-invalid" && err.problems.some((p) => p.code === "unknown-connection"),
    );
  });

  it("groups files into datasets, folding partition folders into **", () => {
    const datasets = groupDatasets([
      "customers.csv",
      "orders/2024/01/a.csv",
      "orders/2024/02/b.csv",
      "orders/2024/02/c.jsonl",
      "events/dt=2024-01-01/e.jsonl.gz",
      "raw/clicks/a.ndjson",
      "raw/clicks/b.ndjson",
      "README.md",
    ]);
    assert.deepEqual(
      datasets.map((d) => [d.label, d.glob, d.format, d.files.length]),
      [
        ["customers", "customers.csv", "csv", 1],
        ["events", "events/**/*.jsonl.gz", "jsonl", 1],
        ["orders", "orders/**/*.csv", "csv", 2],
        ["orders", "orders/**/*.jsonl", "jsonl", 1],
        ["raw_clicks", "raw/clicks/*.ndjson", "jsonl", 2],
      ],
    );
  });
});

describe("generated HTTP steps", () => {
  it("drops managed paging parameters, keeps the others, and merges on a sampled id", async () => {
    const at = await parseLocation("https://api.example.com/v1/users?page=1&status=active", "source", "/tmp");
    const target = await parseLocation("postgres://etl@db/warehouse", "target", "/tmp");
    const { endpoint } = at;
    if (!endpoint) throw new Error("expected an endpoint");
    const source = { ...at, endpoint };
    const body = { data: [{ id: 1, joined: "2024-01-01" }, { id: 2, joined: "2024-01-02" }], page: 1, total_pages: 3 };
    const analysis = analyzeEndpoint(source, { body, headers: new Headers() });
    const steps = endpointSteps(source, analysis, target);
    assert.deepEqual(steps[0]?.body, { connection: "source", path: "/v1/users", query: { status: "active" }, records: "data", paginate: { type: "page", param: "page" } });
    assert.deepEqual(steps[1]?.body, [{ cast: { joined: "date" } }]);
    assert.deepEqual(steps[2]?.body, { connection: "target", table: "users", mode: "merge", key: ["id"] });
    const dupes = analyzeEndpoint(source, { body: { data: [{ id: 1 }, { id: 1 }] }, headers: new Headers() });
    assert.equal(dupes.key, undefined);
  });

  it("refuses an HTTP API as the target", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gen-to-"));
    writeFileSync(join(dir, "a.csv"), "x\n1\n");
    await assert.rejects(generatePipeline({ from: dir, to: "https://api.example.com/in", baseDir: dir, cwd: dir, logger: pino({ level: "silent" }) }), /cannot be loaded into/);
  });
});
