/**
 * The MCP server's tools beside the happy path: validate's quick fixes (also the .env edit), the
 * resources and the prompt, and a run the client cancels (progress first, then a failed run state).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startApi, type TestApi } from "../../support/httpServer";
import { poll } from "../../support/poll";
import { project, ROOT } from "../runner/helpers";
import { errorText, ok, startMcp, type McpSession } from "./helpers";

interface Fix {
  title: string;
  edits: { file?: string; range: { start: { line: number; column: number } }; newText: string }[];
}
interface Validated {
  valid: boolean;
  diagnostics: { code: string; range: { start: { line: number; column: number } }; fixes: Fix[] }[];
}

const p = project("mcp-tools");
let api: TestApi;
let mcp: McpSession;

before(async () => {
  api = await startApi(Array.from({ length: 30 }, (_, i) => ({ id: i + 1 })));
  mcp = await startMcp({ cwd: p.dir });
});

after(async () => {
  await mcp?.close();
  await api?.close();
  p.cleanup();
});

const SECRET_PIPELINE = ["version: 1", "name: fixes", "connections:", "  db:", "    type: postgres", "    host: localhost", "    password: hunter2hunter2", "steps:", "  - id: read", "    extract: {connection: db, table: orders}", ""].join("\n");

describe("validate", () => {
  it("offers the language server's quick fixes as 1-based text edits, for text and for a file", async () => {
    const typo = ok<Validated>(await mcp.call("validate", { text: "version: 1\nname: t\nsteps:\n  - id: a\n    extract: {conection: x}\n" }));
    assert.equal(typo.valid, false);
    const withFix = typo.diagnostics.find((d) => d.fixes.length > 0);
    assert.equal(withFix?.fixes[0]?.edits[0]?.newText, "connection");
    assert.deepEqual(withFix?.range.start, { line: 5, column: 15 });
    const fromText = ok<Validated>(await mcp.call("validate", { text: SECRET_PIPELINE }));
    const secret = fromText.diagnostics.find((d) => d.code === "hardcoded-secret");
    assert.match(secret?.fixes[0]?.edits[0]?.newText ?? "", /^\$\{env:\w+\}$/);
    assert.equal(secret?.fixes.length, 1, "no .env beside text");
    p.write("fixes.etl.yaml", SECRET_PIPELINE);
    const fromFile = ok<Validated>(await mcp.call("validate", { path: "fixes.etl.yaml" }));
    const envFix = fromFile.diagnostics.find((d) => d.code === "hardcoded-secret")?.fixes[1];
    assert.equal(envFix?.edits[0]?.file, join(p.dir, ".env"));
    assert.match(envFix?.edits[0]?.newText ?? "", /^\w+=\n$/, "the name only, never the secret");
  });
});

describe("analyze", () => {
  it("does not read a file connection whose folder lies outside the roots", async () => {
    p.write("outside.etl.yaml", ["version: 1", "name: outside", "connections:", "  etc:", "    type: file", "    root: /etc", "steps:", "  - id: read", "    extract: {connection: etc, path: passwd, format: csv}", ""].join("\n"));
    const report = ok<{ ok: boolean; connections: { name: string; error?: { code: string }; analyses: unknown[] }[] }>(await mcp.call("analyze", { path: "outside.etl.yaml" }));
    assert.equal(report.ok, false);
    assert.equal(report.connections[0]?.error?.code, "outside-roots");
    assert.deepEqual(report.connections[0]?.analyses, []);
    assert.ok(!mcp.outputs.some((o) => o.includes("root:x:0:0")), "nothing of /etc/passwd came back");
  });
});

describe("resources and the prompt", () => {
  it("serve the schema, the format reference and the examples as they are in the package", async () => {
    const { resources } = await mcp.client.listResources();
    const spec = await mcp.client.readResource({ uri: "agent-etl://docs/pipeline-spec.md" });
    assert.equal((spec.contents[0] as { text: string }).text, readFileSync(join(ROOT, "docs", "pipeline-spec.md"), "utf8"));
    const schema = await mcp.client.readResource({ uri: "agent-etl://schema/pipeline.schema.json" });
    assert.deepEqual(JSON.parse((schema.contents[0] as { text: string }).text), JSON.parse(readFileSync(join(ROOT, "schemas", "pipeline.schema.json"), "utf8")));
    const examples = resources.filter((r) => r.uri.startsWith("agent-etl://examples/"));
    assert.ok(examples.length >= 4);
    for (const r of examples) {
      const text = (await mcp.client.readResource({ uri: r.uri })).contents[0] as { text: string };
      assert.ok(ok<{ valid: boolean }>(await mcp.call("validate", { text: text.text })).valid, `${r.uri} validates`);
    }
  });

  it("new-pipeline walks through analyze, generate, validate, plan and a confirmed run", async () => {
    const prompt = await mcp.client.getPrompt({ name: "new-pipeline", arguments: { source: "postgres://db/shop", target: "./out" } });
    const text = (prompt.messages[0]?.content as { text: string }).text;
    for (const tool of ["generate", "analyze", "validate", "plan", "run", "confirm: true"]) assert.ok(text.includes(tool), tool);
  });
});

describe("run", () => {
  it("reports progress, runs one at a time, and stops when the client cancels: the run is recorded as failed", async () => {
    p.write("slow.etl.yaml", ["version: 1", "name: slow", "connections:", "  api:", "    type: http", `    base_url: ${api.url}`, "  out:", "    type: file", "steps:", "  - id: pull", "    extract: {connection: api, path: /link}", "  - id: keep", "    depends_on: [pull]", "    load: {connection: out, path: slow.jsonl}", ""].join("\n"));
    api.always({ delayMs: 30_000 });
    const controller = new AbortController();
    const progress: string[] = [];
    try {
      let started = () => {};
      const running = new Promise<void>((resolve) => (started = resolve));
      const call = mcp.client.callTool({ name: "run", arguments: { path: "slow.etl.yaml", confirm: true } }, undefined, {
        signal: controller.signal,
        onprogress: (p) => {
          progress.push(p.message ?? "");
          started();
        },
      });
      await running;
      assert.match(errorText(await mcp.call("run", { path: "slow.etl.yaml", confirm: true })), /still running in this server/, "one run at a time");
      controller.abort();
      await assert.rejects(call, /abort/i);
    } finally {
      api.always(undefined);
    }
    assert.match(progress[0] ?? "", /step pull started/);
    const runs = await poll("the cancelled run recorded as failed", async () => {
      const out = ok<{ runs: { status: string; failedSteps: string[] }[] }>(await mcp.call("runs", { path: "slow.etl.yaml" }));
      return out.runs[0]?.status === "failed" ? out.runs : undefined;
    }, 20_000);
    assert.deepEqual(runs[0]?.failedSteps, ["pull"]);
  });
});
