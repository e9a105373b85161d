/**
 * The MCP server's tools as VS Code language-model tools (`agent-etl_<tool>`, declared in
 * package.json from the MCP contract, see toolContract.ts) for Copilot's agent mode. Each call goes
 * to `agent-etl mcp` (McpConnection). `run` first shows VS Code's confirmation with the dry-run plan,
 * and passes `confirm: true` only once the user agreed there. In Restricted Mode the tools that
 * resolve a pipeline's secrets refuse, as the commands do (trust.ts).
 */
import * as vscode from "vscode";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { restrictedMessage, type RestrictedAction } from "../trust";
import { toolApi, type LmTool } from "./lmApi";
import type { McpConnection } from "./mcpConnection";
import { failedPlanConfirmation, planArgs, runConfirmation, type PlanResult } from "./runConfirmation";
import { mcpToolName, TOOLS_NEEDING_TRUST } from "./toolContract";

const NEEDS_TRUST: Readonly<Record<string, RestrictedAction>> = TOOLS_NEEDING_TRUST;

type Input = Record<string, unknown>;

function resultText(r: CallToolResult): string {
  if (r.structuredContent !== undefined && !r.isError) return JSON.stringify(r.structuredContent);
  return r.content.map((c) => (c.type === "text" ? c.text : "")).filter(Boolean).join("\n");
}

function tool(mcp: string, conn: McpConnection, api: NonNullable<ReturnType<typeof toolApi>>): LmTool<Input> {
  const refuseUntrusted = () => {
    const action = NEEDS_TRUST[mcp];
    if (action && !vscode.workspace.isTrusted) throw new Error(restrictedMessage(action));
  };
  const invoke: LmTool<Input>["invoke"] = async ({ input }, token) => {
    refuseUntrusted();
    // VS Code asked the user before a run (prepareInvocation): that is the confirmation the server wants.
    const args = mcp === "run" ? { ...input, confirm: true } : input;
    const r = await conn.call(mcp, args, token);
    if (r.isError) throw new Error(resultText(r));
    return new api.LanguageModelToolResult([new api.LanguageModelTextPart(resultText(r))]);
  };
  if (mcp !== "run") return { invoke };
  return {
    invoke,
    async prepareInvocation({ input }, token) {
      const file = typeof input.path === "string" ? input.path : "the pipeline";
      if (!vscode.workspace.isTrusted) return { invocationMessage: restrictedMessage("Run Tool") };
      const plan = await conn.call("plan", planArgs(input), token);
      const confirmation = plan.isError ? failedPlanConfirmation(file, resultText(plan)) : runConfirmation(file, plan.structuredContent as unknown as PlanResult);
      return { invocationMessage: `Running ${file}`, confirmationMessages: confirmation };
    },
  };
}

/** Registers our tools with VS Code; nothing in an editor without the tool API. */
export function registerAgentTools(extension: vscode.ExtensionContext, conn: McpConnection): vscode.Disposable[] {
  const api = toolApi();
  if (!api) return [];
  const declared = (extension.extension.packageJSON as { contributes?: { languageModelTools?: { name: string }[] } }).contributes?.languageModelTools ?? [];
  return declared.flatMap(({ name }) => {
    const mcp = mcpToolName(name);
    return mcp ? [api.registerTool(name, tool(mcp, conn, api))] : [];
  });
}
