/**
 * A minimal LSP client for tests and the benchmark: starts a server process over stdio and speaks
 * JSON-RPC to it with vscode-jsonrpc, recording every diagnostics notification.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import type { Diagnostic, InitializeParams } from "vscode-languageserver-protocol";
import { SERVER_NODE_FLAGS } from "../../server/src/protocol";

export const ROOT = resolve(__dirname, "../..");
export const SERVER = join(ROOT, "dist", "server.js");

export interface Published {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
  at: number;
}

export interface ClientOptions {
  command?: string[];
  rootUri?: string | null;
  /** Answers `workspace/configuration` (per item); undefined: the client does not support it. */
  configuration?: (section: string | undefined, scopeUri: string | undefined) => unknown;
  env?: NodeJS.ProcessEnv;
  /** Sent as `initializationOptions` (e.g. `{workspaceTrusted: true}` for live analysis of every connection). */
  initializationOptions?: unknown;
}

export class LspClient {
  readonly published: Published[] = [];
  readonly configurationRequests: { section?: string; scopeUri?: string }[] = [];
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  static async start(options: ClientOptions = {}): Promise<LspClient> {
    const [cmd, ...args] = options.command ?? [process.execPath, SERVER, "--stdio"];
    const child = spawn(cmd as string, args, { stdio: ["pipe", "pipe", "pipe"], env: options.env ?? process.env });
    child.stderr?.resume();
    const connection = createMessageConnection(new StreamMessageReader(child.stdout as NodeJS.ReadableStream), new StreamMessageWriter(child.stdin as NodeJS.WritableStream));
    return LspClient.connect(child, connection, options);
  }

  /** The bundled server over Node IPC (`--node-ipc`), as VS Code starts it. */
  static async startIpc(options: ClientOptions = {}): Promise<LspClient> {
    const child = fork(SERVER, ["--node-ipc"], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: [...process.execArgv, ...SERVER_NODE_FLAGS] });
    child.stderr?.resume();
    return LspClient.connect(child, createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child)), options);
  }

  private static async connect(child: ChildProcess, connection: MessageConnection, options: ClientOptions): Promise<LspClient> {
    const client = new LspClient(child, connection);
    connection.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      client.published.push({ ...p, at: performance.now() });
    });
    connection.onNotification(() => undefined);
    connection.onRequest("workspace/configuration", (p: { items: { section?: string; scopeUri?: string }[] }) =>
      p.items.map((item) => {
        client.configurationRequests.push(item);
        return options.configuration?.(item.section, item.scopeUri) ?? null;
      }),
    );
    connection.onRequest("client/registerCapability", () => null);
    connection.onRequest("window/workDoneProgress/create", () => null);
    connection.listen();
    const params: InitializeParams = {
      processId: process.pid,
      rootUri: options.rootUri ?? null,
      capabilities: {
        workspace: { configuration: options.configuration !== undefined, workspaceFolders: true },
        textDocument: { completion: { completionItem: { snippetSupport: true } }, rename: { prepareSupport: true }, publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
      workspaceFolders: options.rootUri ? [{ uri: options.rootUri, name: "ws" }] : null,
      ...(options.initializationOptions !== undefined ? { initializationOptions: options.initializationOptions } : {}),
    };
    await connection.sendRequest("initialize", params);
    await connection.sendNotification("initialized", {});
    return client;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  async open(uri: string, text: string, languageId = "etl-pipeline"): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends a full-text change; returns the new version. */
  async replace(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** Sends an incremental change of a range; returns the new version. */
  async edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  /**
   * Sends several range edits in one write to the server's stdin, as an editor flushing a burst of
   * keystrokes would; returns the versions.
   */
  burst(uri: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): number[] {
    const versions: number[] = [];
    let raw = "";
    for (const e of edits) {
      const version = (this.versions.get(uri) ?? 0) + 1;
      this.versions.set(uri, version);
      versions.push(version);
      const body = JSON.stringify({ jsonrpc: "2.0", method: "textDocument/didChange", params: { textDocument: { uri, version }, contentChanges: [{ range: e.range, text: e.text }] } });
      raw += `Content-Length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n${body}`;
    }
    this.process.stdin?.write(raw);
    return versions;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }

  /** The first diagnostics published for `uri` (and `version`, when given) after index `from`. */
  async diagnostics(uri: string, options: { version?: number; from?: number; timeoutMs?: number } = {}): Promise<Published> {
    const found = await poll(() => this.published.slice(options.from ?? 0).find((p) => p.uri === uri && (options.version === undefined || p.version === options.version)), options.timeoutMs ?? 20_000, `diagnostics for ${uri} v${options.version ?? "any"}`);
    return found;
  }

  async stop(): Promise<void> {
    try {
      await withTimeout(this.connection.sendRequest("shutdown"), 5000);
      await this.connection.sendNotification("exit");
    } catch {
      // the process is killed below either way
    }
    await poll(() => (this.process.exitCode !== null || this.process.signalCode !== null ? true : undefined), 5000, "server exit").catch(() => this.process.kill("SIGKILL"));
    this.connection.dispose();
  }
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function poll<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
