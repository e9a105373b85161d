/**
 * One shape for every MCP tool, and the rules they all follow in one place: arguments checked by
 * zod (the SDK turns a mismatch into an `isError` result), a structured result that matches the
 * output schema, errors as `isError` results that say what to do (never a crash), every resolved
 * secret scrubbed out of what goes back, and cancellation plus a timeout for tools that wait on a source.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import type { z } from "zod";
import { EtlError } from "../errors";
import { scrubSecrets } from "../env/scrub";
import { ToolError } from "./toolError";
import type { Workspace } from "./workspace";

/** What a tool's `run` gets besides its arguments. */
export interface ToolContext {
  workspace: Workspace;
  /** Aborted when the client cancels the call or its time is up. */
  signal: AbortSignal;
  /** Secret values this call resolved; scrubbed out of its result and error. */
  secrets: Set<string>;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Reports progress when the client asked for it (a progress token); a client may then keep waiting past its timeout. */
  progress(done: number, total: number | undefined, message: string): void;
}

export interface ToolDeps {
  workspace: Workspace;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface ToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  /** One line: what it gives and when an agent should call it. */
  description: string;
  input: I;
  output: O;
  annotations: Required<Omit<ToolAnnotations, "title">>;
  /**
   * Tools that talk to a source: the call ends with an error after this long (the `timeoutSeconds`
   * argument, when the tool has one, overrides it). The tool also gets the signal to stop its I/O.
   */
  timeoutMs?: number;
  /** The tool stops on `ctx.signal` by itself and reports what happened (a run rolls back and returns its report). */
  handlesAbort?: boolean;
  run(args: z.output<z.ZodObject<I>>, ctx: ToolContext): Promise<z.output<z.ZodObject<O>>>;
}

/** Replaces every secret in every string of `value` (deep), and any URL's password. */
export function scrubDeep(value: unknown, secrets: readonly string[]): unknown {
  // Most results hold nothing to scrub: one look at the whole text spares a walk over every string.
  const json = JSON.stringify(value) ?? "";
  if (scrubSecrets(json, secrets) === json && secrets.every((s) => !json.includes(JSON.stringify(s).slice(1, -1)))) return value;
  return scrubStrings(value, secrets);
}

function scrubStrings(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return scrubSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v, secrets));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubSecrets(k, secrets), scrubStrings(v, secrets)]));
  return value;
}

function sortedSecrets(secrets: Set<string>): string[] {
  return [...secrets].sort((a, b) => b.length - a.length);
}

function errorResult(err: unknown, secrets: Set<string>, tool: string): CallToolResult {
  const known = err instanceof EtlError;
  const message = known ? `${err.message}` : `internal error in ${tool}: ${err instanceof Error ? err.message : String(err)} — please report it (the server keeps running)`;
  const code = known ? err.code : "internal";
  return { isError: true, content: [{ type: "text", text: scrubSecrets(`[${code}] ${message}`, sortedSecrets(secrets)) }] };
}

/** Rejects when `signal` aborts, so a tool whose I/O cannot take a signal still answers in time. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function callSignal(def: { name: string; timeoutMs?: number }, args: Record<string, unknown>, cancel: AbortSignal): AbortSignal {
  const seconds = typeof args.timeoutSeconds === "number" ? args.timeoutSeconds : undefined;
  const ms = seconds !== undefined ? seconds * 1000 : def.timeoutMs;
  if (ms === undefined) return cancel;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new ToolError("timeout", `${def.name} took longer than ${ms / 1000} s and was stopped; check that the source answers, or pass a larger timeoutSeconds`)), ms);
  timer.unref();
  cancel.addEventListener("abort", () => clearTimeout(timer), { once: true });
  return AbortSignal.any([cancel, timeout.signal]);
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function registerTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(server: McpServer, deps: ToolDeps, def: ToolDefinition<I, O>): void {
  const handler = async (args: z.output<z.ZodObject<I>>, extra: Extra): Promise<CallToolResult> => {
    const secrets = new Set<string>();
    const signal = callSignal(def, args as Record<string, unknown>, extra.signal);
    const token = extra._meta?.progressToken;
    const progress = (done: number, total: number | undefined, message: string) => {
      if (token === undefined || signal.aborted) return;
      const params = { progressToken: token, progress: done, ...(total !== undefined ? { total } : {}), message: scrubSecrets(message, sortedSecrets(secrets)) };
      extra.sendNotification({ method: "notifications/progress", params }).catch(() => undefined);
    };
    const ctx: ToolContext = { workspace: deps.workspace, signal, secrets, env: deps.env, logger: deps.logger.child({ tool: def.name }), progress };
    try {
      const work = def.run(args, ctx);
      const data = def.handlesAbort ? await work : await abortable(work, signal);
      const clean = scrubDeep(data, sortedSecrets(secrets)) as Record<string, unknown>;
      return { content: [{ type: "text", text: JSON.stringify(clean) }], structuredContent: clean };
    } catch (err: unknown) {
      if (!(err instanceof EtlError)) ctx.logger.error({ err: err instanceof Error ? scrubSecrets(err.stack ?? err.message, sortedSecrets(secrets)) : String(err) }, "tool failed");
      return errorResult(err, secrets, def.name);
    }
  };
  const config = { title: def.title, description: def.description, inputSchema: def.input, outputSchema: def.output, annotations: { title: def.title, ...def.annotations } };
  // The SDK's generic callback type cannot follow our generic shape; the SDK validates `args` against `inputSchema` before calling.
  server.registerTool(def.name, config, handler as never);
}
