/**
 * The parts of VS Code's language-model API the agent features use (`vscode.lm.registerTool`,
 * `vscode.lm.registerMcpServerDefinitionProvider`, final in VS Code 1.101), typed here and looked up
 * at run time: the extension still runs, without the agent features, in an editor that lacks them
 * (e.g. a fork that reports a recent version but leaves `vscode.lm` out). Typed locally as optional
 * members, since @types/vscode (1.101) declares them as always there.
 */
import * as vscode from "vscode";

export interface LmToolInvocationOptions<T> {
  readonly input: T;
  readonly toolInvocationToken?: unknown;
}

export interface LmPreparedToolInvocation {
  invocationMessage?: string | vscode.MarkdownString;
  confirmationMessages?: { title: string; message: string | vscode.MarkdownString };
}

export interface LmTool<T> {
  invoke(options: LmToolInvocationOptions<T>, token: vscode.CancellationToken): Promise<unknown>;
  prepareInvocation?(options: { readonly input: T }, token: vscode.CancellationToken): Promise<LmPreparedToolInvocation | undefined>;
}

export interface McpServerDefinitionProvider<D> {
  readonly onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): D[] | Promise<D[]>;
  resolveMcpServerDefinition?(server: D, token: vscode.CancellationToken): D | Promise<D | undefined> | undefined;
}

export interface McpStdioServerDefinition {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string | number | null>;
  version?: string;
  cwd?: vscode.Uri;
}

interface LmNamespace {
  registerTool?<T>(name: string, tool: LmTool<T>): vscode.Disposable;
  registerMcpServerDefinitionProvider?(id: string, provider: McpServerDefinitionProvider<McpStdioServerDefinition>): vscode.Disposable;
}

interface LmModule {
  lm?: LmNamespace;
  LanguageModelToolResult?: new (content: unknown[]) => unknown;
  LanguageModelTextPart?: new (value: string) => unknown;
  McpStdioServerDefinition?: new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => McpStdioServerDefinition;
}

const api = vscode as unknown as LmModule;

/** What this editor offers of the tool API, or undefined when it has none. */
export function toolApi() {
  const { lm, LanguageModelToolResult, LanguageModelTextPart } = api;
  if (!lm?.registerTool || !LanguageModelToolResult || !LanguageModelTextPart) return undefined;
  return { registerTool: lm.registerTool.bind(lm), LanguageModelToolResult, LanguageModelTextPart };
}

/** What this editor offers of the MCP server definition API, or undefined when it has none. */
export function mcpApi() {
  const { lm, McpStdioServerDefinition } = api;
  if (!lm?.registerMcpServerDefinitionProvider || !McpStdioServerDefinition) return undefined;
  return { registerProvider: lm.registerMcpServerDefinitionProvider.bind(lm), McpStdioServerDefinition };
}
