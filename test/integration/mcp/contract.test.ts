/**
 * The agent-facing contract of `agent-etl mcp` — tools (names, descriptions, input and output
 * schemas, annotations), resources and prompts — against the committed snapshot, so any change to
 * it shows in review. After an intended change:
 *   node esbuild.mjs && UPDATE_GOLDEN=1 TEST_FILTER=mcp/contract node scripts/test.mjs integration
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, it } from "node:test";
import { ROOT } from "../runner/helpers";
import { startMcp, type McpSession } from "./helpers";

const GOLDEN = join(ROOT, "test", "golden", "mcp", "tools.json");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const HOW = "if the change is intended, update the snapshot: node esbuild.mjs && UPDATE_GOLDEN=1 TEST_FILTER=mcp/contract node scripts/test.mjs integration";

let mcp: McpSession;

before(async () => {
  mcp = await startMcp({ cwd: ROOT });
});

after(async () => {
  await mcp?.close();
});

it("the tools, resources and prompts match the committed snapshot", async () => {
  const { tools } = await mcp.client.listTools();
  const { resources } = await mcp.client.listResources();
  const { prompts } = await mcp.client.listPrompts();
  const contract = {
    tools: tools.map((t) => ({ name: t.name, title: t.title, description: t.description, annotations: t.annotations, inputSchema: t.inputSchema, outputSchema: t.outputSchema })),
    resources: resources.map((r) => ({ uri: r.uri, name: r.name, mimeType: r.mimeType })),
    prompts: prompts.map((p) => ({ name: p.name, description: p.description, arguments: p.arguments })),
  };
  const text = JSON.stringify(contract, null, 2) + "\n";
  if (UPDATE) {
    mkdirSync(dirname(GOLDEN), { recursive: true });
    writeFileSync(GOLDEN, text);
    return;
  }
  assert.ok(existsSync(GOLDEN), `${GOLDEN} is missing; ${HOW}`);
  assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(GOLDEN, "utf8")), `the MCP contract changed; review the difference, and ${HOW}`);
});

it("every tool has a one-line description, an output schema and all four annotations; only run is destructive", async () => {
  const { tools } = await mcp.client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ["analyze", "dag", "generate", "plan", "preview", "run", "runs", "validate"]);
  for (const t of tools) {
    assert.ok(t.description && !t.description.includes("\n"), `${t.name}: one line`);
    assert.equal(t.outputSchema?.type, "object", `${t.name}: output schema`);
    for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) assert.equal(typeof t.annotations?.[hint], "boolean", `${t.name}: ${hint}`);
    assert.equal(t.annotations?.destructiveHint, t.name === "run", `${t.name}: destructiveHint`);
  }
  assert.match(tools.find((t) => t.name === "run")?.description ?? "", /ask the user/i);
});
