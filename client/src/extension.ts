// The VS Code extension: wiring only. It never parses pipelines: it asks the server and runs the CLI.
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { LANGUAGE_ID, SERVER_NODE_FLAGS, type InitializationOptions } from "../../server/src/protocol";
import { registerAgentFeatures } from "./agent";
import { registerCommands } from "./commands";
import { Ctx } from "./ctx";
import { TASK_TYPE } from "./run/runTask";
import { RunTaskProvider } from "./run/taskProvider";
import { registerRunsView } from "./runs";
import { StatusBar } from "./statusBar";

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  const started = Date.now();
  const module = context.asAbsolutePath("dist/server.js");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, "--nolazy", "--inspect=6009"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    // Live analysis keeps its disk cache in the extension's global storage, and resolves secrets
    // only in a trusted workspace (read at each start: trust granted later restarts the server).
    initializationOptions: () => ({ cacheDir: vscode.Uri.joinPath(context.globalStorageUri, "analysis").fsPath, workspaceTrusted: vscode.workspace.isTrusted }) satisfies InitializationOptions,
    outputChannel: ctx.log.channel,
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/.env") },
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        if (firstDiagnostics) ctx?.log.info(`first diagnostics ${Date.now() - started} ms after activation (${uri.path})`);
        firstDiagnostics = false;
        next(uri, diagnostics);
      },
    },
  };
  let firstDiagnostics = true;
  const client = new LanguageClient("agentEtl", "Agent ETL", serverOptions, clientOptions);
  ctx.client = client;
  context.subscriptions.push(ctx, new StatusBar(ctx.runs), vscode.tasks.registerTaskProvider(TASK_TYPE, new RunTaskProvider(ctx.config, ctx.log)), ...registerRunsView(ctx));
  // The agent tools talk to `agent-etl mcp`, not to this client: registered before it starts.
  context.subscriptions.push(...registerAgentFeatures(context, ctx.config, ctx.log));
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    ctx?.log.info("the workspace is now trusted: restarting the language server for live analysis");
    client.restart().catch((err: unknown) => ctx?.log.error("the language server did not restart", err));
  }));
  try {
    await client.start();
  } catch (err: unknown) {
    ctx.log.error("the language server did not start", err);
    void vscode.window.showErrorMessage("Agent ETL: the language server did not start. Diagnostics and the DAG preview are unavailable.", "Show Logs").then((p) => p && ctx?.log.show());
    throw err;
  } finally {
    const serverCommands = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    context.subscriptions.push(...registerCommands(ctx, serverCommands));
  }
  ctx.log.info(`activated in ${Date.now() - started} ms`);
}

export async function deactivate(): Promise<void> {
  await ctx?.client?.stop();
  ctx = undefined;
}
