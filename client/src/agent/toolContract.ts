/**
 * The extension's language-model tools are the MCP server's tools (`agent-etl mcp`) under VS Code's
 * names: `contributes.languageModelTools` in package.json is generated from the MCP contract
 * snapshot (test/golden/mcp/tools.json) by scripts/writeLmTools.ts, and a unit test checks the two
 * still agree, so the schemas are written once (the zod shapes in server/src/mcp/tools). Pure.
 */

/** A tool as the MCP contract lists it (`tools/list`). */
export interface McpToolContract {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** One entry of `contributes.languageModelTools`. */
export interface LmToolContribution {
  name: string;
  displayName: string;
  toolReferenceName: string;
  canBeReferencedInPrompt: true;
  icon: string;
  userDescription: string;
  modelDescription: string;
  tags: string[];
  inputSchema: Record<string, unknown>;
}

/** The VS Code side of each MCP tool: how it looks in the chat UI. */
const LM_TOOL_UI: Readonly<Record<string, { icon: string; userDescription: string }>> = {
  validate: { icon: "$(check-all)", userDescription: "Check an ETL pipeline file or YAML text: diagnostics and quick fixes" },
  dag: { icon: "$(type-hierarchy)", userDescription: "The steps of an ETL pipeline as a graph: nodes, edges, levels, columns" },
  analyze: { icon: "$(database)", userDescription: "What a pipeline's sources hold: tables, columns, keys, object keys, API fields" },
  generate: { icon: "$(wand)", userDescription: "Generate an ETL pipeline for a source (and an optional target)" },
  preview: { icon: "$(table)", userDescription: "The first rows of one step's output, read-only: nothing staged or loaded" },
  plan: { icon: "$(list-ordered)", userDescription: "The dry-run plan of a pipeline run: steps, what each reads and writes" },
  run: { icon: "$(play)", userDescription: "Run an ETL pipeline or some of its steps (asks you first)" },
  runs: { icon: "$(history)", userDescription: "Recent runs of a pipeline, a run's steps and a failed step's error" },
};

/**
 * The tools that resolve a pipeline's secrets (plan, preview and run prepare the run: `${env:}`, `${file:}`,
 * .env) or connect to the servers it names; in Restricted Mode they refuse with the message of
 * their action in trust.ts.
 */
export const TOOLS_NEEDING_TRUST = { analyze: "Analyze Tool", plan: "Plan Tool", preview: "Preview Tool", run: "Run Tool" } as const;

/** `validate` → `agent-etl_validate` (VS Code's tool name). */
export function lmToolName(mcpName: string): string {
  return `agent-etl_${mcpName}`;
}

/** The MCP tool behind a VS Code tool name, or undefined for a name that is not ours. */
export function mcpToolName(lmName: string): string | undefined {
  return lmName.startsWith("agent-etl_") ? lmName.slice("agent-etl_".length) : undefined;
}

/** `validate` → `etlValidate`, what a user types after `#` in a chat prompt. */
export function toolReferenceName(mcpName: string): string {
  return `etl${mcpName.charAt(0).toUpperCase()}${mcpName.slice(1)}`;
}

/** The input schema without the `$schema` keyword the SDK adds (VS Code wants a plain schema object). */
function lmInputSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** `contributes.languageModelTools` for the MCP tools. */
export function languageModelToolsContribution(tools: readonly McpToolContract[]): LmToolContribution[] {
  return tools.map((t) => {
    const ui = LM_TOOL_UI[t.name];
    if (!ui) throw new Error(`the MCP tool ${t.name} has no VS Code icon and description: add it to LM_TOOL_UI in client/src/agent/toolContract.ts`);
    return {
      name: lmToolName(t.name),
      displayName: t.title ?? t.name,
      toolReferenceName: toolReferenceName(t.name),
      canBeReferencedInPrompt: true,
      icon: ui.icon,
      userDescription: ui.userDescription,
      modelDescription: t.description ?? ui.userDescription,
      tags: ["etl", "agent-etl"],
      inputSchema: lmInputSchema(t.inputSchema),
    };
  });
}
