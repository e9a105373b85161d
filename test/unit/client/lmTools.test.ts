/**
 * VS Code's language-model tools are the MCP tools: package.json's `languageModelTools` must be what
 * scripts/writeLmTools.ts makes of the MCP contract snapshot (which the MCP tests keep equal to the
 * server), so a schema changed on one side fails here until `npm run lm-tools` is run.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RESTRICTED_ACTIONS } from "../../../client/src/trustMessages";
import { languageModelToolsContribution, lmToolName, mcpToolName, toolReferenceName, TOOLS_NEEDING_TRUST, type McpToolContract } from "../../../client/src/agent/toolContract";

const ROOT = join(__dirname, "..", "..", "..");
const contract = JSON.parse(readFileSync(join(ROOT, "test", "golden", "mcp", "tools.json"), "utf8")) as { tools: McpToolContract[] };
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { vscode: string };
  contributes: { languageModelTools?: Record<string, unknown>[]; mcpServerDefinitionProviders?: { id: string; label: string }[] };
};

describe("the language-model tools in package.json", () => {
  it("are generated from the MCP contract (run `npm run lm-tools` after changing a tool)", () => {
    assert.deepEqual(manifest.contributes.languageModelTools, languageModelToolsContribution(contract.tools));
  });

  it("have the MCP tools' names, descriptions and input schemas, and can be referenced in prompts", () => {
    const tools = manifest.contributes.languageModelTools ?? [];
    assert.equal(tools.length, contract.tools.length);
    for (const mcp of contract.tools) {
      const lm = tools.find((t) => t.name === lmToolName(mcp.name));
      assert.ok(lm, `no agent-etl_${mcp.name}`);
      const { $schema: _s, ...schema } = mcp.inputSchema;
      assert.deepEqual(lm.inputSchema, schema, `${mcp.name}: the MCP input schema`);
      assert.equal(lm.modelDescription, mcp.description);
      assert.equal(lm.canBeReferencedInPrompt, true);
      assert.match(String(lm.icon), /^\$\([a-z-]+\)$/);
      assert.match(String(lm.toolReferenceName), /^etl[A-Z][A-Za-z]+$/);
    }
    const refs = tools.map((t) => t.toolReferenceName);
    assert.equal(new Set(refs).size, refs.length, "reference names are unique");
  });

  it("maps names both ways and refuses a tool without VS Code metadata", () => {
    assert.equal(mcpToolName(lmToolName("plan")), "plan");
    assert.equal(mcpToolName("copilot_readFile"), undefined);
    assert.equal(toolReferenceName("runs"), "etlRuns");
    assert.throws(() => languageModelToolsContribution([{ name: "unknown", inputSchema: {} }]), /LM_TOOL_UI/);
  });

  it("in Restricted Mode, refuses exactly the tools that resolve secrets or open connections, saying why", () => {
    assert.deepEqual(Object.keys(TOOLS_NEEDING_TRUST).sort(), ["analyze", "plan", "preview", "run"]);
    for (const name of Object.keys(TOOLS_NEEDING_TRUST)) assert.ok(contract.tools.some((t) => t.name === name), `${name} is an MCP tool`);
    // The rest read only the file (validate, dag), the staging folder (runs) or what the user typed (generate, as the command).
    for (const action of Object.values(TOOLS_NEEDING_TRUST)) assert.match(RESTRICTED_ACTIONS[action], /secrets|connect/);
  });

  it("declares the MCP server provider, on an editor that has both APIs", () => {
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders?.map((p) => p.id), ["agentEtl.mcp"]);
    const [major, minor] = manifest.engines.vscode.replace(/^\^/, "").split(".").map(Number);
    assert.ok((major as number) > 1 || (minor as number) >= 101, `engines.vscode ${manifest.engines.vscode}: registerMcpServerDefinitionProvider needs 1.101`);
  });
});
